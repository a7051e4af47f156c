package modules

import (
	"context"
	"fmt"
)

// unsupportedModules are modules that appear in the OpenI-Octopus
// playbooks only on RedHat hosts or in paths Debian hosts skip. They are
// registered so that playbooks load and list; a host that really reaches
// one fails with a message naming what to use instead.
var unsupportedModules = []struct {
	names []string
	why   string
}{
	{[]string{"yum"}, "it manages RPM packages on RedHat-family hosts; on Debian/Ubuntu use apt or package"},
	{[]string{"dnf"}, "it manages RPM packages on RedHat-family hosts; on Debian/Ubuntu use apt or package"},
	{[]string{"yum_repository"}, "it writes /etc/yum.repos.d files on RedHat-family hosts; on Debian/Ubuntu use apt_repository"},
	{[]string{"rpm_key"}, "it imports RPM signing keys on RedHat-family hosts; on Debian/Ubuntu use apt_key"},
	{[]string{"pip"}, "it needs Python's pip on the target; run pip through command or shell instead"},
	{[]string{"k8s", "kubernetes.core.k8s", "community.kubernetes.k8s"}, "it needs the Python kubernetes client; apply manifests with kubectl through command instead"},
}

func init() {
	for _, u := range unsupportedModules {
		name, why := u.names[0], u.why
		Register(Func(func(ctx context.Context, req *Request) (Result, error) {
			return Result{"changed": false, "failed": true,
				"msg": fmt.Sprintf("octopus has no native '%s' module: %s (host %s)", name, why, req.Host)}, nil
		}), u.names...)
	}
}
