// Package value holds the data model shared by every part of the engine:
// variables, task arguments and module results are plain Go values
// (nil, bool, int, float64, string, []any) plus *Dict, an insertion-ordered
// mapping, because Ansible (Python) keeps dict keys in insertion order and
// that order shows in templates, to_json and --diff output.
package value

// Dict is an insertion-ordered map from string keys to values.
// The zero value is an empty dict ready to use.
type Dict struct {
	keys []string
	m    map[string]any
}

// NewDict returns an empty Dict with room for n keys.
func NewDict(n int) *Dict {
	return &Dict{keys: make([]string, 0, n), m: make(map[string]any, n)}
}

// DictOf builds a Dict from alternating key, value arguments.
func DictOf(kv ...any) *Dict {
	d := NewDict(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		d.Set(kv[i].(string), kv[i+1])
	}
	return d
}

// Len returns the number of keys.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.keys)
}

// Keys returns the keys in insertion order. The slice must not be modified.
func (d *Dict) Keys() []string {
	if d == nil {
		return nil
	}
	return d.keys
}

// Get returns the value stored under key.
func (d *Dict) Get(key string) (any, bool) {
	if d == nil || d.m == nil {
		return nil, false
	}
	v, ok := d.m[key]
	return v, ok
}

// Has reports whether key is present.
func (d *Dict) Has(key string) bool {
	_, ok := d.Get(key)
	return ok
}

// Set stores val under key; a new key goes last, an existing one keeps its place.
func (d *Dict) Set(key string, val any) {
	if d.m == nil {
		d.m = map[string]any{}
	}
	if _, ok := d.m[key]; !ok {
		d.keys = append(d.keys, key)
	}
	d.m[key] = val
}

// Delete removes key.
func (d *Dict) Delete(key string) {
	if d == nil || d.m == nil {
		return
	}
	if _, ok := d.m[key]; !ok {
		return
	}
	delete(d.m, key)
	for i, k := range d.keys {
		if k == key {
			d.keys = append(d.keys[:i:i], d.keys[i+1:]...)
			break
		}
	}
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	out := NewDict(d.Len())
	for _, k := range d.Keys() {
		out.Set(k, d.m[k])
	}
	return out
}

// Map returns the entries as an unordered Go map (values are not converted).
func (d *Dict) Map() map[string]any {
	out := make(map[string]any, d.Len())
	for _, k := range d.Keys() {
		out[k] = d.m[k]
	}
	return out
}

// Range calls fn for each entry in order until fn returns false.
func (d *Dict) Range(fn func(key string, val any) bool) {
	for _, k := range d.Keys() {
		if !fn(k, d.m[k]) {
			return
		}
	}
}

// Vault is a vault-encrypted scalar (YAML tag !vault) not yet decrypted.
type Vault struct {
	Ciphertext string
}

// Unsafe is a string marked !unsafe: it is never templated.
type Unsafe string
