#!/usr/bin/env python3
"""Write the shipped reputation lists (assets/reputation/*.txt) from ../shared/datasets.

Only lists whose licence allows shipping are read: nikolaischunk/discord-phishing-links (MIT)
and fwwdn/sensitive-stop-words' 网址.txt (Apache-2.0). The Discord-AntiScam list has no
licence and is not used. Every host is lower-cased and checked; hosts that belong to a
registry platform or brand, or to one of the top-sites list's domains, are left out, since an
old list's mistake there would punish everyone who shares the real site.

fwwdn's list is one unlabelled list of "违规" sites from 2015-16. It is split by the words in
the host names: adult and gambling where the name says so, spam for the rest.

Run: python3 scripts/build_reputation.py [../shared/datasets]
"""
import json
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets")
OUT = ROOT / "assets" / "reputation"

HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")

# Words in host names (pinyin and English) that name the two categories. Chosen to be
# specific: `se`, `av` alone would match half the list.
ADULT = re.compile(r"sex|porn|xxx|sese|yese|yuse|seqing|qingse|qvod|jiqing|luoliao|luoti|"
                   r"chengren|avhome|\d+se\.|se\d{2,}|hentai|nude|javhd")
GAMBLING = re.compile(r"casino|bet365|bocai|dubo|duchang|baijiale|bjl|lottery|caipiao|"
                      r"xpj|jinsha|weinisi|pk10|shishicai|liuhecai|lhc\d|poker|slot|"
                      r"yulecheng|ylc|amdc|hg\d{3}|bet\d|\dbet")


def owned_domains():
    registry = tomllib.loads((ROOT / "assets/registry/platforms.toml").read_text("utf-8"))
    owned = set()
    for entry in registry["platform"] + registry.get("brand", []):
        for host in entry.get("hosts", []) + entry.get("share_hosts", []):
            owned.add(host.split("/")[0])
    top = json.loads((DATA / "urls_top_sites/top-sites.json").read_text("utf-8"))
    owned.update(e["rootDomain"].lower().removeprefix("www.") for e in top)
    return owned


def covered(host, owned):
    parts = host.split(".")
    return any(".".join(parts[i:]) in owned for i in range(len(parts) - 1))


def hosts(path, owned):
    seen = set()
    for line in path.read_text("utf-8").splitlines():
        host = line.strip().lower().rstrip(".")
        if not host or host.startswith("#") or not HOST.match(host) or covered(host, owned):
            continue
        if host not in seen:
            seen.add(host)
            yield host


def write(name, category, header, entries):
    entries = sorted(entries)
    lines = [f"# category: {category}"] + [f"# {h}" for h in header] + entries
    (OUT / name).write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{name}: {len(entries)} hosts")


def main():
    owned = owned_domains()
    OUT.mkdir(parents=True, exist_ok=True)
    write(
        "phishing-nikolaischunk.txt",
        "phishing",
        [
            "Discord scam and phishing domains from nikolaischunk/discord-phishing-links",
            "(txt/domain-list.txt @ 0eb32a6c50d391dc96503343419866916eb10988), MIT licence,",
            "Copyright (c) 2021 nikolaischunk. See assets/reputation/LICENSES/.",
            "Written by scripts/build_reputation.py; hosts of registry entries and top sites left out.",
        ],
        hosts(DATA / "urls_discord_phishing/nikolaischunk_domain-list.txt", owned),
    )
    adult, gambling, spam = [], [], []
    for host in hosts(DATA / "lexicon_zh_fwwdn/网址.txt", owned):
        if ADULT.search(host):
            adult.append(host)
        elif GAMBLING.search(host):
            gambling.append(host)
        else:
            spam.append(host)
    source = [
        "From fwwdn/sensitive-stop-words 网址.txt (@ a7d06bb1c321e669943b6841570d9da6dad8ce2b),",
        "Apache-2.0 licence, by Weiwei Fan. See assets/reputation/LICENSES/. An unlabelled list of",
        "2015-16 \"违规\" sites, split by scripts/build_reputation.py by the words in the names.",
    ]
    write("adult-fwwdn.txt", "adult", source, adult)
    write("gambling-fwwdn.txt", "gambling", source, gambling)
    write("spam-fwwdn.txt", "spam", source, spam)


if __name__ == "__main__":
    main()
