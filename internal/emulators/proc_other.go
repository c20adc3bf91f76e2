//go:build unix && !linux

package emulators

import "syscall"

// sysProcAttr still gives the child its own process group so Stop can reach
// grandchildren; without Pdeathsig outside Linux, a parent that dies without
// Stop leaves the servers running until they are killed by hand.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
