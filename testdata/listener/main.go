// listener is the process of the test image portguard's engine tests build
// (FROM scratch, a static binary): it listens on every port its arguments
// name, "7000" or "7000/tcp" or "7001/udp", answers each TCP connection with
// one line, and exits on SIGTERM or SIGINT. For exec tests, `-cat [FILE]`
// copies FILE (or its standard input) to its output and `-exit N WORDS...` prints the words,
// then "to stderr" on stderr, and exits with N.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ports := os.Args[1:]
	if len(ports) > 0 && ports[0] == "-cat" {
		var in io.Reader = os.Stdin
		if len(ports) > 1 {
			f, err := os.Open(ports[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			in = f
		}
		_, _ = io.Copy(os.Stdout, in)
		return
	}
	if len(ports) > 1 && ports[0] == "-exit" {
		code, _ := strconv.Atoi(ports[1])
		fmt.Println(strings.Join(ports[2:], " "))
		fmt.Fprintln(os.Stderr, "to stderr")
		os.Exit(code)
	}
	if len(ports) == 0 {
		ports = []string{"5432"}
	}
	for _, p := range ports {
		port, proto, _ := strings.Cut(p, "/")
		if proto == "" {
			proto = "tcp"
		}
		switch proto {
		case "tcp":
			l, err := net.Listen("tcp", ":"+port)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			go serve(l)
		case "udp":
			c, err := net.ListenPacket("udp", ":"+port)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			go func() {
				buf := make([]byte, 512)
				for {
					n, addr, err := c.ReadFrom(buf)
					if err != nil {
						return
					}
					_, _ = c.WriteTo(buf[:n], addr)
				}
			}()
		default:
			fmt.Fprintf(os.Stderr, "unknown protocol %q\n", proto)
			os.Exit(2)
		}
		fmt.Printf("listening on %s/%s\n", port, proto)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
}

func serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		fmt.Fprintf(c, "portguard test listener on %s\n", l.Addr())
		c.Close()
	}
}
