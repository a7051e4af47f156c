//go:build linux

package executor

import (
	"os"

	"golang.org/x/sys/unix"
)

// termState is a saved terminal mode.
type termState struct {
	fd int
	t  unix.Termios
}

// isTTY reports whether fd is a terminal.
func isTTY(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// isForeground reports whether this process's group owns the terminal
// at fd (a job put in the background does not).
func isForeground(fd int) bool {
	pg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	return pg == unix.Getpgrp()
}

// saveTerm returns the current mode of the terminal at fd.
func saveTerm(fd int) (*termState, error) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	return &termState{fd: fd, t: *t}, nil
}

// restore puts the saved mode back once pending output is written.
func (s *termState) restore() {
	if s != nil {
		t := s.t
		_ = unix.IoctlSetTermios(s.fd, unix.TCSETSW, &t)
	}
}

// pauseRaw puts the terminal at fd in the raw mode the pause action uses:
// no line editing, signals or echo, but output post-processing kept so
// newlines still return the carriage.
func pauseRaw(fd int) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return
	}
	t.Iflag &^= unix.BRKINT | unix.ICRNL | unix.INPCK | unix.ISTRIP | unix.IXON
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Lflag &^= unix.ECHO | unix.ICANON | unix.IEXTEN | unix.ISIG
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	_ = unix.IoctlSetTermios(fd, unix.TCSETSF, t)
}

// setEcho turns the terminal's echo on or off at once.
func setEcho(fd int, on bool) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return
	}
	if on {
		t.Lflag |= unix.ECHO
	} else {
		t.Lflag &^= unix.ECHO
	}
	_ = unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// flushInput discards what was typed but not yet read.
func flushInput(fd int) { _ = unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH) }

// termKeys returns the terminal's interrupt and erase characters.
func termKeys(fd int) (intr, erase byte) {
	intr, erase = 3, 0x7f
	if t, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
		intr, erase = t.Cc[unix.VINTR], t.Cc[unix.VERASE]
	}
	return intr, erase
}

// readByte waits up to ms milliseconds (forever when negative) for a
// byte at fd; ok is false on timeout, err is set at end of input.
func readByte(fd int, ms int) (b byte, ok bool, err error) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(pfd, ms)
	if err == unix.EINTR {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if n == 0 {
		return 0, false, nil
	}
	var buf [1]byte
	m, err := unix.Read(fd, buf[:])
	if m == 1 {
		return buf[0], true, nil
	}
	if err == nil {
		err = os.ErrClosed
	}
	return 0, false, err
}
