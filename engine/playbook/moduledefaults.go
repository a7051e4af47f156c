package playbook

import (
	"fmt"
	"strings"

	"octopus/engine/diag"
	"octopus/engine/value"
)

// builtinActions are the modules and action plugins of ansible.builtin in
// ansible-core 2.14 (what a short name or ansible.legacy.X resolves to).
var builtinActions = set("add_host apt apt_key apt_repository assemble assert async_status async_wrapper blockinfile command copy cron debconf debug dnf dpkg_selections expect fail fetch file find gather_facts get_url getent git group group_by hostname import_playbook import_role import_tasks include include_role include_tasks include_vars iptables known_hosts lineinfile meta normal package package_facts pause ping pip raw reboot replace rpm_key script service service_facts set_fact set_stats setup shell slurp stat subversion systemd systemd_service sysvinit tempfile template unarchive uri user validate_argument_spec wait_for wait_for_connection yum yum_repository")

// builtinRedirects are ansible-core 2.14's routing of former builtin
// module names to collections, for the modules octopus implements: a
// short name resolves to the collection's module.
var builtinRedirects = map[string]string{
	"authorized_key": "ansible.posix.authorized_key",
	"modprobe":       "community.general.modprobe",
	"mount":          "ansible.posix.mount",
	"sysctl":         "ansible.posix.sysctl",
	"timezone":       "community.general.timezone",
}

// actionGroups are the module_defaults groups Ansible 2.14 resolves with
// Debian's ansible package installed: ansible.builtin's legacy short
// groups and the action_groups of the collections it ships.
var actionGroups = set(prefixed("ansible.builtin.", "acme aws azure cpm docker gcp k8s os ovirt testgroup testlegacy vmware") +
	" amazon.aws.aws awx.awx.controller azure.azcollection.all cisco.aci.all cisco.mso.all cisco.mso.mso cisco.mso.ndo" +
	" cloudscale_ch.cloud.cloudscale community.aws.aws community.crypto.acme community.digitalocean.all community.dns.hetzner" +
	" community.dns.hosttech community.docker.docker community.grafana.grafana community.hashi_vault.vault community.hrobot.robot" +
	" community.okd.okd community.postgresql.all community.routeros.api community.vmware.vmware community.zabbix.zabbix" +
	" google.cloud.gcp kubernetes.core.helm kubernetes.core.k8s netapp.aws.netapp_aws netapp.azure.netapp_azure" +
	" netapp.cloudmanager.netapp_cloudmanager netapp.elementsw.netapp_elementsw netapp.ontap.netapp_ontap" +
	" netapp.storagegrid.netapp_storagegrid netapp.um_info.netapp_um_info netbox.netbox.netbox ngine_io.cloudstack.cloudstack" +
	" ngine_io.exoscale.exoscale ngine_io.vultr.vultr openstack.cloud.openstack openstack.cloud.os ovirt.ovirt.ovirt" +
	" t_systems_mms.icinga_director.icinga theforeman.foreman.foreman vultr.cloud.vultr wti.remote.cpm")

// prefixed returns the space-separated words with prefix before each.
func prefixed(prefix, words string) string {
	return prefix + strings.Join(strings.Fields(words), " "+prefix)
}

// IsBuiltinAction reports whether name (short, ansible.builtin.X or
// ansible.legacy.X) is a module or action of ansible.builtin.
func IsBuiltinAction(name string) bool {
	if strings.Count(name, ".") >= 2 && !strings.HasPrefix(name, "ansible.builtin.") && !strings.HasPrefix(name, "ansible.legacy.") {
		return false
	}
	return builtinActions[ShortName(name)]
}

// CanonicalAction is the name module_defaults entries and tasks are
// matched by: the short name for ansible.builtin/ansible.legacy actions
// (and any name without a collection), the FQCN otherwise; former
// builtin names that Ansible routes to a collection resolve to it.
func CanonicalAction(name string) string {
	if strings.Count(name, ".") < 2 || strings.HasPrefix(name, "ansible.builtin.") || strings.HasPrefix(name, "ansible.legacy.") {
		short := ShortName(name)
		if fq, ok := builtinRedirects[short]; ok {
			return fq
		}
		return short
	}
	return name
}

const moduleDefaultsShape = `The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys of which must be static action, module, or group names. Only the values may contain templates. For example: {'ping': "{{ ping_defaults }}"}`

// loadModuleDefaults validates a module_defaults value as Ansible does
// when it loads it and returns it as a list of mappings whose keys are
// canonical action names (see CanonicalAction) or "group/<fq group>".
// Values stay raw: they are templated when a task runs. known, when not
// nil, tells whether an action of a collection other than
// ansible.builtin exists.
func loadModuleDefaults(v any, known func(string) bool) ([]*value.Dict, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []*value.Dict
	for _, e := range list {
		d, ok := e.(*value.Dict)
		if !ok {
			return nil, &diag.Error{Msg: moduleDefaultsShape, Code: 4}
		}
		nd := value.NewDict(d.Len())
		for _, k := range d.Keys() {
			val, _ := d.Get(k)
			if g, isGroup := strings.CutPrefix(k, "group/"); isGroup {
				if strings.Count(g, ".") < 2 {
					g = "ansible.builtin." + g
				}
				if !actionGroups[g] {
					return nil, &diag.Error{Msg: "Error loading module_defaults: could not resolve the module_defaults group " + g, Code: 4}
				}
				// Every group's actions belong to collections whose
				// modules octopus does not have: the defaults apply to no
				// task it can run.
				continue
			}
			name := k
			if strings.Count(name, ".") < 2 {
				name = "ansible.legacy." + name
			}
			switch {
			case strings.HasPrefix(name, "ansible.builtin.") || strings.HasPrefix(name, "ansible.legacy."):
				if _, routed := builtinRedirects[ShortName(name)]; !routed && !IsBuiltinAction(name) {
					return nil, &diag.Error{Msg: fmt.Sprintf("Could not resolve action %s in module_defaults", name), Code: 4}
				}
			case known != nil && !known(name):
				return nil, &diag.Error{Msg: fmt.Sprintf("Could not resolve action %s in module_defaults", name), Code: 4}
			}
			nd.Set(CanonicalAction(name), val)
		}
		out = append(out, nd)
	}
	return out, nil
}
