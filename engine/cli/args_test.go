package cli

import (
	"reflect"
	"testing"
)

func TestNormaliseArgs(t *testing.T) {
	spec := flagSpec{"v": false, "verbose": false, "f": true, "forks": true, "b": false, "K": false, "i": true, "e": true}
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{[]string{"site.yml", "-i", "inv", "-vvv"}, []string{"-i", "inv", "-v", "-v", "-v", "--", "site.yml"}, ""},
		{[]string{"-f10", "-bK", "a.yml"}, []string{"-f", "10", "-b", "-K", "--", "a.yml"}, ""},
		{[]string{"--forks=3", "a.yml", "--", "-x"}, []string{"--forks", "3", "--", "a.yml", "-x"}, ""},
		{[]string{"-e", "a=1,b=2", "x.yml"}, []string{"-e", "a=1,b=2", "--", "x.yml"}, ""},
		{[]string{"--foo", "x.yml"}, nil, "unrecognized arguments: --foo"},
		{[]string{"x.yml", "-i"}, nil, "argument -i: expected one argument"},
		{[]string{"--verbose=1"}, nil, "argument --verbose: ignored explicit argument '1'"},
	}
	for _, tt := range tests {
		got, err := normaliseArgs(tt.in, spec)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%v: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
