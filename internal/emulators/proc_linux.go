//go:build linux

package emulators

import "syscall"

// sysProcAttr puts the child in its own process group so Stop can signal
// every process it spawned (the pyenv shim, the JVM's helpers), and asks the
// kernel to SIGKILL it if we die without calling Stop — a crashed test binary
// or a ^C'd `leadgate local` must not leave servers squatting on ports.
//
// Pdeathsig fires when the creating OS thread exits, not the process; the Go
// runtime only retires threads whose goroutine called LockOSThread and exited
// without unlocking, which this package never does.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
