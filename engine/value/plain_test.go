package value

import (
	"reflect"
	"testing"
)

func TestPlain(t *testing.T) {
	tests := []struct{ in, want any }{
		{int64(3), 3}, {int32(-2), -2}, {uint(7), 7}, {uint64(9), 9}, {float32(1.5), 1.5},
		{[]string{"a", "b"}, []any{"a", "b"}}, {"s", "s"}, {nil, nil}, {true, true},
	}
	for _, tt := range tests {
		if got := Plain(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Plain(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestTruthy(t *testing.T) {
	falsy := []any{nil, false, 0, 0.0, "", Unsafe(""), []any{}, []string{}, NewDict(0), map[string]any{}}
	truthy := []any{true, 1, -0.5, "x", Unsafe("x"), []any{nil}, []string{""}, DictOf("k", nil), map[string]any{"k": 1}, struct{}{}}
	for _, v := range falsy {
		if Truthy(v) {
			t.Errorf("Truthy(%#v) = true", v)
		}
	}
	for _, v := range truthy {
		if !Truthy(v) {
			t.Errorf("Truthy(%#v) = false", v)
		}
	}
}
