package modules

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runFetch), "fetch") }

// BaseDirer may be implemented by a Controller to resolve relative
// controller paths as Ansible's loader.path_dwim does (the playbook
// directory). Without it, relative paths are taken from the current
// directory.
type BaseDirer interface {
	BaseDir() string
}

// controllerPath resolves a relative controller-side path.
func controllerPath(req *Request, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if b, ok := req.Controller.(BaseDirer); ok && b.BaseDir() != "" {
		return filepath.Join(b.BaseDir(), p)
	}
	if wd, err := os.Getwd(); err == nil {
		return filepath.Join(wd, p)
	}
	return p
}

// localSHA1 returns the sha1 of a controller file ("" when absent, as
// Ansible's checksum() returns None).
func localSHA1(p string) (string, []byte) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", nil
	}
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:]), b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// runFetch copies a file from the target to the controller (the module
// runs on the controller, so it writes with os functions). It probes and
// reads the source in one round trip, sending the content only when the
// controller's copy differs.
func runFetch(ctx context.Context, req *Request) (Result, error) {
	if req.CheckMode {
		return Result{"changed": false, "skipped": true, "msg": "check mode not (yet) supported for this module"}, nil
	}
	srcV, destV := req.Args["src"], req.Args["dest"]
	msg := ""
	if _, ok := srcV.(string); !ok {
		msg = "Invalid type supplied for source option, it must be a string"
	}
	if _, ok := destV.(string); !ok {
		msg = "Invalid type supplied for dest option, it must be a string"
	}
	if srcV == nil || destV == nil {
		msg = "src and dest are required"
	}
	if msg != "" {
		return fail(Result{"changed": false}, msg)
	}
	boolArg := func(k string, def bool) bool {
		v, ok := req.Args[k]
		if !ok || v == nil {
			return def
		}
		b, err := argspec.Bool(v)
		if err != nil {
			return false // boolean(strict=False)
		}
		return b
	}
	flat, failMissing, validateSum := boolArg("flat", false), boolArg("fail_on_missing", true), boolArg("validate_checksum", true)
	src, dest := srcV.(string), destV.(string)
	if strings.HasPrefix(src, "~") {
		h, err := remoteHome(ctx, req)
		if err != nil {
			return nil, err
		}
		src = remote.ExpandUser(src, h)
	}
	if flat {
		if fi, err := os.Stat(dest); err == nil && fi.IsDir() && !strings.HasSuffix(dest, "/") {
			return fail(Result{"changed": false}, "dest is an existing directory, use a trailing slash if you want to fetch src into that directory")
		}
		if strings.HasSuffix(dest, "/") {
			dest += path.Base(src)
		}
		dest = controllerPath(req, dest)
	} else {
		host := req.Host
		if h, ok := req.Vars["inventory_hostname"].(string); ok && h != "" {
			host = h
		}
		dest = fmt.Sprintf("%s/%s/%s", controllerPath(req, dest), host, src)
	}
	dest = filepath.Clean(dest)
	localSum, localData := localSHA1(dest)
	q := remote.QuotePath(src)
	script := fmt.Sprintf(`p=%s
if [ ! -e "$p" ]; then echo ENOENT; elif [ -d "$p" ]; then echo EISDIR; elif [ ! -r "$p" ]; then echo EACCES; else
s=$(sha1sum < "$p" | cut -c1-40); printf 'OK\n%%s\n' "$s"; [ "$s" = %s ] || base64 -w0 < "$p"; echo; fi`, q, shellWord(localSum))
	res, err := target(req).Run(ctx, script, nil)
	if err != nil {
		return nil, err
	}
	lines := strings.SplitN(string(res.Stdout), "\n", 3)
	missing := func(m string) (Result, error) {
		if failMissing {
			return Result{"changed": false, "failed": true, "msg": m}, nil
		}
		return Result{"changed": false, "file": src, "msg": m + ", ignored"}, nil
	}
	switch lines[0] {
	case "ENOENT":
		if failMissing {
			// the action returns the failed slurp module's result
			sa := map[string]any{"src": src}
			_, _ = validateArgs(req, &slurpSpec, "", sa)
			return Result{"changed": false, "failed": true, "msg": "the remote file does not exist, not transferring, ignored"}, nil
		}
		return Result{"changed": false, "file": src, "msg": "the remote file does not exist, not transferring, ignored"}, nil
	case "EISDIR":
		if failMissing {
			return Result{"changed": false, "failed": true, "msg": "remote file is a directory, fetch cannot work on directories"}, nil
		}
		return Result{"msg": "remote file is a directory, fetch cannot work on directories, not transferring, ignored"}, nil
	case "EACCES":
		return missing("file is not readable: " + src)
	case "OK":
	default:
		return fail(Result{"changed": false}, "Failed to fetch the file: "+strings.TrimSpace(string(res.Stderr)))
	}
	if len(lines) < 3 {
		return fail(Result{"changed": false}, "Failed to fetch the file: short read")
	}
	remoteSum := lines[1]
	if remoteSum == localSum {
		return Result{"changed": false, "md5sum": md5hex(localData), "file": src, "dest": dest, "checksum": localSum}, nil
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[2]))
	if err != nil {
		return fail(Result{"changed": false}, "Failed to fetch the file: "+err.Error())
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fail(Result{"changed": false}, "Failed to fetch the file: "+err.Error())
	}
	if err := os.WriteFile(dest, data, 0o644); err != nil {
		return fail(Result{"changed": false}, "Failed to fetch the file: "+err.Error())
	}
	newSum, newData := localSHA1(dest)
	if validateSum && newSum != remoteSum {
		return Result{"changed": false, "failed": true, "md5sum": md5hex(newData), "msg": "checksum mismatch", "file": src, "dest": dest,
			"remote_md5sum": nil, "checksum": newSum, "remote_checksum": remoteSum}, nil
	}
	return Result{"changed": true, "md5sum": md5hex(newData), "dest": dest, "remote_md5sum": nil, "checksum": newSum, "remote_checksum": remoteSum}, nil
}
