"""The infraaudit test network.

``lab.loopback.LoopbackLab`` runs snmpsim (recordings of real devices), net-snmp snmpd with
v1/v2c and v3 users, a junk-replying agent and a dead address on ``127.<block>.0.0/24``; no root
needed. ``lab.netns.NetnsLab`` builds network namespaces joined by a bridge, each running snmpd
(root only); ``lab.site.SiteLab`` an office network of namespaces with faults from scenarios
(root only). All three share lab/lifecycle.py; ``python -m lab up|down|status`` drives them from
the shell.
"""
