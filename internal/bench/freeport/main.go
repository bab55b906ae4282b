// Command freeport prints free TCP ports on 127.0.0.1, one a line, for the
// side-by-side benchmarks in compare.sh: every server there listens on a port
// the kernel chose, never a fixed one that another process may hold.
//
// Usage:
//
//	freeport [-n count]
//
// The listeners are all held open until every port is chosen, so the ports
// printed are distinct; they are released on exit, and the small window
// before a server binds one is acceptable for a benchmark script.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
)

func main() {
	n := flag.Int("n", 1, "number of distinct ports to print")
	flag.Parse()
	if *n < 1 || *n > 100 {
		fmt.Fprintln(os.Stderr, "freeport: -n must be between 1 and 100")
		os.Exit(2)
	}
	ports, err := freePorts(*n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "freeport:", err)
		os.Exit(1)
	}
	for _, p := range ports {
		fmt.Println(p)
	}
}

// freePorts asks the kernel for n ports by listening on 127.0.0.1:0.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		// Closed when the process exits, after every port was chosen.
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
