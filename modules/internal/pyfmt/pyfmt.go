// Package pyfmt forwards to octopus/engine/pyfmt, which holds the Python
// text forms (str, repr, json.dumps, splitlines, datetime) modules print.
// New code imports octopus/engine/pyfmt directly.
package pyfmt

import "octopus/engine/pyfmt"

// Forwarders to octopus/engine/pyfmt; see there.
var (
	TypeName      = pyfmt.TypeName
	Str           = pyfmt.Str
	Repr          = pyfmt.Repr
	Float         = pyfmt.Float
	JSON          = pyfmt.JSON
	ParseJSON     = pyfmt.ParseJSON
	SplitLines    = pyfmt.SplitLines
	SplitLinesAny = pyfmt.SplitLinesAny
	DateTime      = pyfmt.DateTime
	TimeDelta     = pyfmt.TimeDelta
)
