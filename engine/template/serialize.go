package template

import (
	"fmt"
	"io"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// toJSON renders v as Python's json.dumps(v, **o) would with Ansible's
// encoder: undefined values fail, a vault gives its text, other values
// that are no JSON fail as "not JSON serializable".
func toJSON(v any, o pyfmt.JSONOptions) (string, error) {
	o.Default = func(v any) (any, bool, error) {
		switch x := v.(type) {
		case *Undefined:
			return nil, false, x.err()
		case *value.Vault:
			return x.Ciphertext, true, nil
		case value.Unsafe:
			return string(x), true, nil
		}
		if keys, get := dictView(v); keys != nil {
			d := value.NewDict(len(keys))
			for _, k := range keys {
				e, _ := get(k)
				d.Set(k, e)
			}
			return d, true, nil
		}
		return nil, false, fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return pyfmt.Dumps(v, o)
}

// fromYAML parses YAML with PyYAML typing and key order.
func fromYAML(s string, all bool) (any, error) {
	dec := yaml.NewDecoder(strings.NewReader(s))
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v, err := value.FromYAML(&n, "")
		if err != nil {
			return nil, err
		}
		docs = append(docs, v)
		if !all {
			break
		}
	}
	if all {
		if docs == nil {
			return []any{}, nil
		}
		return docs, nil
	}
	if len(docs) == 0 {
		return nil, nil
	}
	return docs[0], nil
}

// toYAML renders v as yaml.dump with Ansible's dumper; undefined values
// fail.
func toYAML(v any, o pyfmt.YAMLOptions) (string, error) {
	if err := failOnUndefined(v); err != nil {
		return "", err
	}
	return pyfmt.YAML(v, o)
}

// strftime formats t with Python/C strftime directives.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'Z':
			z, _ := t.Zone()
			b.WriteString(z)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			w := int(t.Weekday())
			if w == 0 {
				w = 7
			}
			fmt.Fprintf(&b, "%d", w)
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'x':
			b.WriteString(t.Format("01/02/06"))
		case 'X':
			b.WriteString(t.Format("15:04:05"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
