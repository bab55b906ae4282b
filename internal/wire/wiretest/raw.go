package wiretest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// RawReceiver is a receiver on a bare socket, for answers net/http will not
// give: a 101, a body that drips, headers of megabytes, or no answer at all.
// It reads each request's head, hands the connection to answer, then holds
// it until the peer closes it, Close is called, or a minute has passed.
type RawReceiver struct {
	// URL is the receiver's address, with the path /hook.
	URL string
	// Heads gets each request's head lines as read (up to 16 unread).
	Heads <-chan []string

	ln   net.Listener
	done chan struct{}
	once sync.Once
}

// NewRawReceiver starts a RawReceiver on 127.0.0.1.
func NewRawReceiver(answer func(net.Conn)) (*RawReceiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	heads := make(chan []string, 16)
	rr := &RawReceiver{URL: "http://" + ln.Addr().String() + "/hook", Heads: heads, ln: ln, done: make(chan struct{})}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go rr.serve(conn, heads, answer)
		}
	}()
	return rr, nil
}

func (rr *RawReceiver) serve(conn net.Conn, heads chan<- []string, answer func(net.Conn)) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	var head []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if line = strings.TrimRight(line, "\r\n"); line == "" {
			break
		}
		head = append(head, line)
	}
	select {
	case heads <- head:
	default: // nobody is watching that many
	}
	answer(conn)
	closed := make(chan struct{})
	go func() { io.Copy(io.Discard, br); close(closed) }()
	select {
	case <-rr.done:
	case <-closed:
	case <-time.After(time.Minute):
	}
}

// Close stops accepting and lets every held connection go.
func (rr *RawReceiver) Close() {
	rr.once.Do(func() { close(rr.done); rr.ln.Close() })
}
