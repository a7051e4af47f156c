package template

import (
	"fmt"
	"strings"

	"octopus/engine/value"
)

// literalEval evaluates a Python literal (ast.literal_eval, with JSON's
// true/false/null accepted as Ansible does).
func literalEval(s string) (any, error) {
	toks, err := lexExpr(s, false)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		if t.kind == tName {
			switch t.s {
			case "True", "False", "None", "true", "false", "null":
			default:
				return nil, fmt.Errorf("malformed node or string")
			}
		}
	}
	ep := &exprParser{toks: toks, src: s}
	n, err := ep.parseTupleExpr(false)
	if err != nil {
		return nil, err
	}
	if ep.cur().kind != tEOF {
		return nil, fmt.Errorf("malformed node or string")
	}
	return literalNode(n)
}

func literalNode(n node) (any, error) {
	switch x := n.(type) {
	case *nConst:
		return x.v, nil
	case *nName:
		if x.name == "null" {
			return nil, nil
		}
	case *nList:
		out := make([]any, 0, len(x.items))
		for _, e := range x.items {
			v, err := literalNode(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *nTuple:
		l, err := literalNode(&nList{items: x.items})
		if err != nil {
			return nil, err
		}
		return pyTuple(l.([]any)), nil
	case *nDict:
		d := value.NewDict(len(x.keys))
		for i := range x.keys {
			k, err := literalNode(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := literalNode(x.vals[i])
			if err != nil {
				return nil, err
			}
			d.Set(toStr(k), v)
		}
		return d, nil
	case *nUnary:
		if x.op == "-" || x.op == "+" {
			v, err := literalNode(x.x)
			if err != nil {
				return nil, err
			}
			switch y := v.(type) {
			case int:
				if x.op == "-" {
					return -y, nil
				}
				return y, nil
			case float64:
				if x.op == "-" {
					return -y, nil
				}
				return y, nil
			}
		}
	}
	return nil, fmt.Errorf("malformed node or string: %s", strings.TrimSpace(fmt.Sprintf("%T", n)))
}
