package modules

import (
	"context"

	"octopus/modules/internal/argspec"
	"octopus/modules/internal/remote"
)

func init() { Register(guarded(runStat), "stat") }

var statSpec = argspec.Spec{
	Module: "stat",
	Options: []argspec.Option{
		{Name: "path", Type: "path", Required: true, Aliases: []string{"dest", "name"}},
		{Name: "follow", Type: "bool", Default: false},
		{Name: "get_md5", Type: "bool", Default: false},
		{Name: "get_checksum", Type: "bool", Default: true},
		{Name: "get_mime", Type: "bool", Default: true, Aliases: []string{"mime", "mime_type", "mime-type"}},
		{Name: "get_attributes", Type: "bool", Default: true, Aliases: []string{"attr", "attributes"}},
		{Name: "checksum_algorithm", Default: "sha1", Choices: []any{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}, Aliases: []string{"checksum", "checksum_algo"}},
	},
}

// fileAttributes maps lsattr flag letters to Ansible's attribute names.
var fileAttributes = map[rune]string{
	'A': "noatime", 'a': "append", 'c': "compressed", 'C': "nocow", 'd': "nodump", 'D': "dirsync",
	'e': "extents", 'E': "encrypted", 'h': "blocksize", 'i': "immutable", 'I': "indexed", 'j': "journalled",
	'N': "inline", 's': "zero", 'S': "synchronous", 't': "notail", 'T': "blockroot", 'u': "undelete",
	'X': "compressedraw", 'Z': "compresseddirty",
}

func runStat(ctx context.Context, req *Request) (Result, error) {
	p, err := validate(&statSpec, req)
	if err != nil {
		return argFail(err)
	}
	if err := expandUser(ctx, req, p, "path"); err != nil {
		return nil, err
	}
	path := p.String("path")
	opts := remote.Options{Mime: p.Bool("get_mime"), Attrs: p.Bool("get_attributes"), RealPath: true}
	if p.Bool("get_checksum") {
		opts.Algorithm = p.String("checksum_algorithm")
	}
	opts.MD5 = p.Bool("get_md5")
	_, infos, err := target(req).Probe(ctx, []string{path}, opts)
	if err != nil {
		return nil, err
	}
	return Result{"changed": false, "stat": StatDict(path, infos[0], p)}, nil
}

// StatDict builds the stat module's "stat" dictionary from a probe.
func StatDict(path string, in *remote.Info, p argspec.Params) map[string]any {
	follow := p.Bool("follow")
	if !in.Exists || (follow && !in.Follows) {
		return map[string]any{"exists": false}
	}
	st := in.L
	if follow {
		st = in.F
	}
	m := st.Mode
	bit := func(b uint32) bool { return m&b != 0 }
	o := map[string]any{
		"exists": true, "path": path, "mode": fmtMode4(st.Perm()),
		"isdir": st.Is(remote.ModeDir), "ischr": st.Is(remote.ModeChr), "isblk": st.Is(remote.ModeBlk),
		"isreg": st.Is(remote.ModeReg), "isfifo": st.Is(remote.ModeFIFO), "islnk": st.Is(remote.ModeLink),
		"issock": st.Is(remote.ModeSock), "uid": st.UID, "gid": st.GID, "size": int(st.Size),
		"inode": int(st.Inode), "dev": int(st.Dev), "nlink": st.Nlink,
		"atime": st.Atime, "mtime": st.Mtime, "ctime": st.Ctime,
		"wusr": bit(0o200), "rusr": bit(0o400), "xusr": bit(0o100),
		"wgrp": bit(0o020), "rgrp": bit(0o040), "xgrp": bit(0o010),
		"woth": bit(0o002), "roth": bit(0o004), "xoth": bit(0o001),
		"isuid": bit(0o4000), "isgid": bit(0o2000),
		"blocks": int(st.Blocks), "block_size": int(st.BlockSize), "device_type": int(st.RDev),
		"readable": in.Readable, "writeable": in.Writable, "executable": in.Executable,
	}
	if st.Is(remote.ModeLink) {
		o["lnk_source"] = in.RealPath
		o["lnk_target"] = in.LinkTarget
	}
	if st.Owner != itoa(st.UID) {
		o["pw_name"] = st.Owner
	}
	if st.Group != itoa(st.GID) {
		o["gr_name"] = st.Group
	}
	if st.Is(remote.ModeReg) && in.Readable {
		if p.Bool("get_md5") {
			o["md5"] = in.MD5
		}
		if p.Bool("get_checksum") {
			o["checksum"] = in.Checksum
		}
	}
	if p.Bool("get_mime") {
		o["mimetype"], o["charset"] = "unknown", "unknown"
		if in.Mime != "" {
			o["mimetype"], o["charset"] = in.Mime, in.Charset
		}
	}
	if p.Bool("get_attributes") {
		o["version"], o["attributes"], o["attr_flags"] = nil, []any{}, ""
		if in.HasAttrs {
			o["version"] = in.AttrVersion
			o["attr_flags"] = in.AttrFlags
			attrs := []any{}
			for _, c := range in.AttrFlags {
				if n, ok := fileAttributes[c]; ok {
					attrs = append(attrs, n)
				}
			}
			o["attributes"] = attrs
		}
	}
	return o
}
