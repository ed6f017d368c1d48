# shellcheck shell=bash
# A private apt for other Debian releases (bullseye, trixie) on a Debian 12
# host, used by fetch-distro-kernel.sh and fetch-distro-tools.sh.  Sourced.
# Nothing of the system's apt state is read or written but its configuration
# (apt.conf.d, trusted keys): the source list, the package lists, the
# package cache and the dpkg status (empty, so that the installed packages of
# the host are no candidates) all live in the private directory.
#
#   papt_setup DIR SUITE   DIR/{sources.list,lists,cache,status} for
#                          "deb MIRROR SUITE main"; `apt-get update` when the
#                          lists are missing or SAVEDUMP_FIXTURES_REFRESH=1
#                          (so that a cached fixture keeps its package)
#   papt_get ARGS...       apt-get with the private options
#   papt_cache ARGS...     apt-cache with the private options
#   papt_newest REGEX      newest package whose name matches REGEX
#   papt_fetch DEST PKG... download each PKG (the candidate version) into
#                          DEST unless a .deb with its SHA256 is already
#                          there; prints the .debs' paths
#   papt_closure PKG...    every package a fresh system needs for PKG...
#                          (no Recommends), one name a line
#
# MIRROR is SAVEDUMP_DEBIAN_MIRROR, else the first URIs: of
# /etc/apt/sources.list.d/debian.sources that is not debian-security, else
# the first "deb URI" line of /etc/apt/sources.list.

papt_dir=

papt_mirror() {
	local m=${SAVEDUMP_DEBIAN_MIRROR:-}
	if [[ -z $m && -r /etc/apt/sources.list.d/debian.sources ]]; then
		m=$(awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' \
			/etc/apt/sources.list.d/debian.sources)
	fi
	if [[ -z $m && -r /etc/apt/sources.list ]]; then
		m=$(awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[[ -n $m ]] || { echo "distro-apt: no Debian mirror found" >&2; return 1; }
	echo "$m"
}

papt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$papt_dir/sources.list" \
		-o "Dir::Etc::sourceparts=$papt_dir/sources.list.d" \
		-o "Dir::State::Lists=$papt_dir/lists" \
		-o "Dir::State::status=$papt_dir/status" \
		-o "Dir::State::extended_states=$papt_dir/extended_states" \
		-o "Dir::Cache=$papt_dir/cache" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
		-o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false" \
		-o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false" \
		-o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false" \
		-o "APT::Sandbox::User=root"
}

papt_get() {
	local -a o
	mapfile -t o < <(papt_opts)
	apt-get -q "${o[@]}" "$@"
}

papt_cache() {
	local -a o
	mapfile -t o < <(papt_opts)
	apt-cache "${o[@]}" "$@"
}

papt_setup() {
	local dir=$1 suite=$2 mirror line
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/sources.list.d"
	papt_dir=$(cd "$dir" && pwd)
	mirror=$(papt_mirror) || return 1
	line="deb $mirror $suite main"
	[[ -f $papt_dir/status ]] || : >"$papt_dir/status"
	if [[ ! -f $papt_dir/sources.list || $(cat "$papt_dir/sources.list") != "$line" ]]; then
		echo "$line" >"$papt_dir/sources.list"
		rm -f "$papt_dir/lists/"*Packages* "$papt_dir/lists/"*Release*
	fi
	if [[ ${SAVEDUMP_FIXTURES_REFRESH:-0} == 1 ]] ||
		! compgen -G "$papt_dir/lists/*_Packages*" >/dev/null; then
		echo "distro-apt: apt-get update ($line)" >&2
		papt_get update >&2 || return 1
	fi
}

papt_newest() {
	papt_cache search --names-only "$1" | cut -d' ' -f1 | sort -V | tail -n1
}

papt_fetch() {
	local dest=$1 name sum m missing=() pkgs=() ok=()
	shift
	mkdir -p "$dest"
	while read -r _ name _ sum; do
		sum=${sum#SHA256:}
		if [[ -f $dest/$name ]] && sha256sum "$dest/$name" | grep -q "^$sum "; then
			ok+=("$dest/$name")
			continue
		fi
		rm -f "$dest/$name"
		missing+=("$name $sum")
		pkgs+=("${name%%_*}")
	done < <(papt_get download --print-uris "$@")
	if ((${#missing[@]})); then
		echo "distro-apt: downloading ${#missing[@]} package(s) into $dest" >&2
		(cd "$dest" && papt_get download "${pkgs[@]}" >&2) || return 1
		for m in "${missing[@]}"; do
			read -r name sum <<<"$m"
			[[ -f $dest/$name ]] || { echo "distro-apt: apt-get download made no $name" >&2; return 1; }
			sha256sum "$dest/$name" | grep -q "^$sum " ||
				{ echo "distro-apt: $name: bad SHA256" >&2; return 1; }
			ok+=("$dest/$name")
		done
	fi
	(($# == ${#ok[@]})) || { echo "distro-apt: $# packages asked, ${#ok[@]} found" >&2; return 1; }
	printf '%s\n' "${ok[@]}"
}

papt_closure() {
	papt_get install --no-install-recommends -s "$@" | awk '$1 == "Inst" { print $2 }'
}
