package fetch

import "testing"

func TestNetrcLogin(t *testing.T) {
	text := `# credentials
machine repo.example login bob password "s3cret pw"
machine other.example
  login alice
  password apw
macdef init
  cd /pub
  bin

default login anon password anonpw
machine repo.example login second password ignored
machine quoted.example login bob password "s3cret pw"
`
	cases := []struct {
		host, login, password string
		ok                    bool
	}{
		{"repo.example", "second", "ignored", true}, // the last entry wins
		{"other.example", "alice", "apw", true},
		{"quoted.example", "bob", "s3cret pw", true},
		{"unknown.example", "anon", "anonpw", true},
	}
	for _, c := range cases {
		l, p, ok := netrcLogin(text, c.host)
		if l != c.login || p != c.password || ok != c.ok {
			t.Errorf("%s: got %q %q %v, want %q %q %v", c.host, l, p, ok, c.login, c.password, c.ok)
		}
	}
	if _, _, ok := netrcLogin("machine a login x password y\n", "b"); ok {
		t.Error("no default entry: want no login")
	}
}
