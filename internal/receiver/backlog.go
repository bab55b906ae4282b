package receiver

import (
	"net"
	"time"
)

// tinyBacklogAccept is how long DefectTinyBacklog takes to accept each
// connection.
const tinyBacklogAccept = 150 * time.Millisecond

// slowListener accepts one connection per tinyBacklogAccept, leaving the
// rest in the kernel's queue.
type slowListener struct{ net.Listener }

func (l slowListener) Accept() (net.Conn, error) {
	time.Sleep(tinyBacklogAccept)
	return l.Listener.Accept()
}

// tinyBacklog shrinks ln's listen backlog to 1 and slows its accepts: the
// server of DefectTinyBacklog.
func tinyBacklog(ln net.Listener) (net.Listener, error) {
	if err := setBacklog(ln, 1); err != nil {
		return nil, err
	}
	return slowListener{ln}, nil
}
