package pyfmt

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// SplitLines is Python's str.splitlines(): it splits on \n, \r, \r\n, \v,
// \f, \x1c-\x1e, \x85, \u2028 and \u2029 and drops a trailing empty line.
func SplitLines(s string) []string {
	out := []string{}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i])
			i += size
			start = i
		case '\r':
			out = append(out, s[start:i])
			i += size
			if i < len(s) && s[i] == '\n' {
				i++
			}
			start = i
		default:
			i += size
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// SplitLinesAny is SplitLines returned as []any, the shape results carry.
func SplitLinesAny(s string) []any {
	l := SplitLines(s)
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

// DateTime is Python's str(datetime.datetime): "2006-01-02 15:04:05.000000"
// (the fraction is omitted when it is zero).
func DateTime(t time.Time) string {
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// TimeDelta is Python's str(datetime.timedelta) for a non-negative
// duration: "0:00:00.003456" (no fraction when the microseconds are zero).
func TimeDelta(d time.Duration) string {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	days := us / 86400e6
	us -= days * 86400e6
	h := us / 3600e6
	us -= h * 3600e6
	m := us / 60e6
	us -= m * 60e6
	s := us / 1e6
	us -= s * 1e6
	out := fmt.Sprintf("%d:%02d:%02d", h, m, s)
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	if days == 1 {
		out = "1 day, " + out
	} else if days > 1 {
		out = fmt.Sprintf("%d days, %s", days, out)
	}
	return out
}
