package modules

import (
	"context"
	"strings"
)

// targetNodename is the target's socket.gethostname(), which some Ansible
// modules use in defaults (user's ssh_key_comment): the ansible_nodename
// fact when gathered, else `uname -n` on the target ("" when unknown).
func targetNodename(ctx context.Context, req *Request) string {
	if s, ok := req.Vars["ansible_nodename"].(string); ok && s != "" {
		return s
	}
	res, err := target(req).Run(ctx, "uname -n", nil)
	if err != nil || res.RC != 0 {
		return ""
	}
	return strings.TrimSpace(string(res.Stdout))
}
