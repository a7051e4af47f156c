package remote

// StatFormat is the `stat -c` format whose output StatFromFields parses.
const StatFormat = statFmt

// StatFromFields parses one line of `stat -c StatFormat` output.
func StatFromFields(line string) Stat { return parseStat(line) }
