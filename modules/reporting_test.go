package modules

import (
	"context"
	"reflect"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/modules/internal/argspec"
)

var reportingSpec = argspec.Spec{
	Module: "demo",
	Options: []argspec.Option{
		{Name: "path", Type: "path", Aliases: []string{"dest"}},
		{Name: "token", NoLog: true},
		{Name: "login_password"},
		{Name: "count", Type: "int", Default: 3},
	},
}

func TestReporting(t *testing.T) {
	run := func(f func(ctx context.Context, req *Request) (Result, error), args map[string]any) Result {
		t.Helper()
		res, err := Reporting(Func(f)).Run(context.Background(), &Request{Args: args})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ok := func(ctx context.Context, req *Request) (Result, error) {
		p, err := validate(&reportingSpec, req)
		if err != nil {
			return argFail(err)
		}
		p["path"] = p.String("path") + "/x" // a module updating its params
		return Result{"changed": false, "msg": "used " + p.String("token"), "echo": []any{p.String("token")}}, nil
	}
	res := run(ok, map[string]any{"dest": "/d", "token": "t0k3n", "count": "5"})
	inv := pyfmt.JSON(res["invocation"])
	want := `{"module_args": {"count": 5, "dest": "/d", "login_password": null, "path": "/d/x", "token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}`
	if inv != want {
		t.Errorf("invocation:\n got %s\nwant %s", inv, want)
	}
	if res["msg"] != "used ********" || !reflect.DeepEqual(res["echo"], []any{argspec.NoLogPlaceholder}) {
		t.Errorf("no_log value not hidden: %v %v", res["msg"], res["echo"])
	}
	if !reflect.DeepEqual(res["warnings"], []any{"Module did not set no_log for login_password"}) {
		t.Errorf("warnings = %#v", res["warnings"])
	}

	// a failed validation reports the arguments as the module holds them
	res = run(ok, map[string]any{"path": "/d", "bogus": 1, "count": "many"})
	if res["failed"] != true {
		t.Fatalf("expected a failure: %v", res)
	}
	inv = pyfmt.JSON(res["invocation"])
	want = `{"module_args": {"bogus": 1, "count": "many", "login_password": null, "path": "/d", "token": null}}`
	if inv != want {
		t.Errorf("failed invocation:\n got %s\nwant %s", inv, want)
	}

	// no spec validated: no invocation; dropInvocation forgets one
	res = run(func(ctx context.Context, req *Request) (Result, error) { return Result{"rc": 0}, nil }, nil)
	if _, has := res["invocation"]; has {
		t.Errorf("a module without a spec got an invocation: %v", res)
	}
	res = run(func(ctx context.Context, req *Request) (Result, error) {
		if _, err := validate(&reportingSpec, req); err != nil {
			return nil, err
		}
		req.dropInvocation()
		return Result{}, nil
	}, map[string]any{})
	if _, has := res["invocation"]; has {
		t.Errorf("dropInvocation kept it: %v", res)
	}

	// the copy action's raw form: task args at the top and as module_args
	res = run(func(ctx context.Context, req *Request) (Result, error) {
		req.recordRaw(req.Args)
		return Result{"failed": true}, nil
	}, map[string]any{"content": "secret", "dest": "/d"})
	inv = pyfmt.JSON(res["invocation"])
	want = `{"content": "CENSORED: content is a no_log parameter", "dest": "/d", "module_args": {"content": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "dest": "/d"}}`
	if inv != want {
		t.Errorf("raw invocation:\n got %s\nwant %s", inv, want)
	}

	// a module run by another reports through the outer run (the last validation wins)
	inner := Reporting(Func(ok))
	res = run(func(ctx context.Context, req *Request) (Result, error) {
		if _, err := validate(&pingSpec, req); err != nil {
			return nil, err
		}
		r2 := *req
		r2.Args = map[string]any{"path": "/in"}
		return inner.Run(ctx, &r2)
	}, map[string]any{})
	ma := res["invocation"].(map[string]any)["module_args"]
	if got := pyfmt.JSON(ma); got != `{"count": 3, "login_password": null, "path": "/in/x", "token": null}` {
		t.Errorf("nested: %s", got)
	}
}
