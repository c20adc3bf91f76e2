package emulators

import (
	"os"
	"syscall"
)

// Windows has neither process groups in the Unix sense nor SIGTERM; the
// package is kept compilable there so `leadgate` still builds, but children
// are simply killed and are not reaped if the parent dies.
func sysProcAttr() *syscall.SysProcAttr { return nil }

func terminate(p *os.Process) { _ = p.Kill() }

func kill(p *os.Process) { _ = p.Kill() }
