package vaultcmd

import "testing"

// Expected values are Python 3.11 textwrap.wrap(text, 79) joined by "\n".
func TestWrap(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[WARNING]: Error getting vault password file (default): The vault password file /tmp/TestErrorsMatchAnsible285807956/001/nopw was not found",
			"[WARNING]: Error getting vault password file (default): The vault password file\n/tmp/TestErrorsMatchAnsible285807956/001/nopw was not found\n"},
		{"[WARNING]: Ansible is being run in a world writable directory (/tmp/TestWorldWritableCwd3108438409/001), ignoring it as an ansible.cfg source. For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir",
			"[WARNING]: Ansible is being run in a world writable directory\n(/tmp/TestWorldWritableCwd3108438409/001), ignoring it as an ansible.cfg\nsource. For more information see\nhttps://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-\nworld-writable-dir\n"},
		{"short", "short\n"},
		{"x " + string(make([]byte, 0)) + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"x aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaaaaaaaaa\n"},
	}
	for _, tc := range tests {
		if got := wrap(tc.in, 79); got != tc.want {
			t.Errorf("wrap(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
		}
	}
}
