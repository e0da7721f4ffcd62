# bench/callgrind-sum.awk - used by bench/run.sh (awk -f bench/callgrind-sum.awk callgrind.out).
# Inclusive instruction count of every loop_* function in a callgrind
# output file: the sum of its cost lines, its own instructions and the
# inclusive cost of each call it makes (the line after calls=).  Names
# are compressed: "(id) name" defines an id, in fn= or cfn= lines alike.
function fname(s,   id) {
	if (match(s, /^\([0-9]+\)/)) {
		id = substr(s, 1, RLENGTH)
		if (length(s) > RLENGTH + 1)
			names[id] = substr(s, RLENGTH + 2)
		return names[id]
	}
	return s
}
/^fn=/ { cur = fname(substr($0, 4)); next }
/^cfn=/ { fname(substr($0, 5)); next }
/^[0-9+*-]/ { if (cur ~ /^loop_/ && NF >= 2) total[cur] += $2; next }
END { for (f in total) print f, total[f] }
