package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

func TestRawDiff(t *testing.T) {
	cases := []anstest.Case{
		{Name: "echo", Steps: one("raw", map[string]any{"_raw_params": "echo hi; echo err >&2"})},
		{Name: "fail", Steps: one("raw", map[string]any{"_raw_params": "exit 4"})},
		{Name: "bash", Steps: one("raw", map[string]any{"_raw_params": "echo ${BASH_VERSION:+bash}", "executable": "/bin/bash"})},
		{Name: "check", Steps: []anstest.Step{{Module: "raw", Args: map[string]any{"_raw_params": "touch @D@/x"}, Check: true}}},
		{Name: "creates file", Steps: one("raw", map[string]any{"_raw_params": "touch @D@/x"})},
	}
	anstest.Run(t, anstest.Suite{Cases: cases})
}
