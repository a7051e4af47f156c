// Command octopus is a drop-in replacement for ansible-playbook (and
// ansible-inventory, ansible-vault): run it as `octopus playbook ...`, or
// through a link named after the Ansible command it stands in for.
//
// Profiling: OCTOPUS_CPUPROFILE=FILE writes a CPU profile of the whole run
// to FILE, and OCTOPUS_TRACE=FILE an execution trace (go tool trace), which
// shows where a run waits rather than computes.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"

	"octopus/engine/cli"
)

func main() {
	stop := profile(os.Getenv("OCTOPUS_CPUPROFILE"), os.Getenv("OCTOPUS_TRACE"))
	rc := cli.Main(os.Args, cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(rc)
}

// profile starts the CPU profile and the execution trace asked for (an
// empty name asks for none) and returns the function that ends them. A file
// that cannot be written is reported on stderr and the run goes on.
func profile(cpuFile, traceFile string) (stop func()) {
	var stops []func()
	if cpuFile != "" {
		if f, err := os.Create(cpuFile); err != nil {
			fmt.Fprintf(os.Stderr, "octopus: OCTOPUS_CPUPROFILE: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "octopus: OCTOPUS_CPUPROFILE: %v\n", err)
			f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if traceFile != "" {
		if f, err := os.Create(traceFile); err != nil {
			fmt.Fprintf(os.Stderr, "octopus: OCTOPUS_TRACE: %v\n", err)
		} else if err := trace.Start(f); err != nil {
			fmt.Fprintf(os.Stderr, "octopus: OCTOPUS_TRACE: %v\n", err)
			f.Close()
		} else {
			stops = append(stops, func() { trace.Stop(); f.Close() })
		}
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
