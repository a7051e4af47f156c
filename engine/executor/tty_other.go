//go:build !linux

package executor

import "errors"

type termState struct{}

func isTTY(int) bool                   { return false }
func isForeground(int) bool            { return false }
func saveTerm(int) (*termState, error) { return nil, errors.New("no terminal support") }
func (s *termState) restore()          {}
func pauseRaw(int)                     {}
func setEcho(int, bool)                {}
func flushInput(int)                   {}
func termKeys(int) (byte, byte)        { return 3, 0x7f }
func readByte(int, int) (byte, bool, error) {
	return 0, false, errors.New("no terminal support")
}
