//go:build unix

package emulators

import (
	"os"
	"syscall"
)

// signalGroup signals the child's whole process group (the child is its
// group leader thanks to Setpgid), so wrappers such as the pyenv shim in
// front of moto_server cannot leave the real server behind.
func signalGroup(p *os.Process, sig syscall.Signal) {
	_ = syscall.Kill(-p.Pid, sig)
}

func terminate(p *os.Process) { signalGroup(p, syscall.SIGTERM) }

func kill(p *os.Process) { signalGroup(p, syscall.SIGKILL) }
