#!/bin/busybox sh
# /init of dom0 and of the domU (tests/xen/run.sh).  Markers on the serial
# console (@@...) are what run.sh checks; every wait is bounded.
#
# domU: `mprof share --xen -- xen_guest 20000` (it waits until dom0 took
#   everything), then `mprof share --xen -- xen_guest 7777 READY hang` and,
#   once the 7777 events are emitted, a kernel crash (on_crash=preserve).
# dom0: `mprof collect --xen --all`, until it closed both traces; then
#   xen_check proves every event arrived with its values, in each.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts; mount -t devpts -o ptmxmode=666 devpts /dev/pts
mkdir -p /run/xen /run/xenstored /var/lib/xenstored /tmp
for m in xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc; do
	insmod /lib/modules/$m.ko 2>&1 | grep -v 'File exists'
done
mkdir -p /proc/xen; mount -t xenfs xenfs /proc/xen
SHARE="mprof share --xen -t 2 -n 64 --poll-ms 50 --linger-ms 60000"

if ! grep -q control_d /proc/xen/capabilities 2>/dev/null; then
	echo "@@DOMU_UP"
	$SHARE -- xen_guest 20000
	echo "@@DOMU_RUN1 rc=$?"
	$SHARE -- xen_guest 7777 /tmp/ready hang &
	for i in $(seq 600); do [ -e /tmp/ready ] && break; sleep 0.1; done
	[ -e /tmp/ready ] && echo "@@DOMU_READY"
	sleep 1 # dom0 polls every 50 ms: let it take a few packets live first
	echo "@@DOMU_CRASHING"
	echo c > /proc/sysrq-trigger
	sleep 30
	poweroff -f
fi

echo "@@DOM0_UP"
xenstored --pid-file /run/xen/xenstored.pid || echo "@@XENSTORED_FAILED"
for i in $(seq 50); do [ -S /run/xenstored/socket ] && break; sleep 0.1; done
xen-init-dom0 >/dev/null 2>&1 || echo "@@XEN_INIT_DOM0_FAILED"
xenconsoled --log=guest --log-dir=/var/log/xen &
RC=1
# --scrape-every: open packets go into the traces while the domU runs (each
# event still once: xen_check counts them).
mprof collect --xen --all -o /tmp/out --exit-after 2 --scrape-every 300 > /tmp/collect.log 2>&1 &
CP=$!
cat > /tmp/domU.cfg <<CFG
name = "mprof-guest"
type = "pv"
kernel = "/boot/vmlinuz"
ramdisk = "/boot/domU.cpio"
extra = "console=hvc0 quiet"
memory = 256
vcpus = 1
on_poweroff = "destroy"
on_crash = "preserve"
CFG
if xl create /tmp/domU.cfg > /tmp/xl-create.log 2>&1; then
	DID=$(xl domid mprof-guest)
	echo "@@DOMU_CREATED domid=$DID"
	for i in $(seq 900); do
		kill -0 $CP 2>/dev/null || break
		sleep 0.1
		[ $((i % 150)) = 0 ] && { echo "@@PROGRESS $((i / 10)) s"; tail -3 /tmp/collect.log; tail -5 /var/log/xen/guest-*.log; }
	done
	kill -0 $CP 2>/dev/null && { echo "@@COLLECT_TIMEOUT"; kill $CP; }
	wait $CP; C=$?
	echo "@@COLLECT rc=$C"
	cat /tmp/collect.log
	xl list
	xen_check /tmp/out/mprof-guest-$DID 20000; K1=$?
	echo "@@CHECK_RUN rc=$K1"
	xen_check /tmp/out/mprof-guest-$DID.2 7777; K2=$?
	echo "@@CHECK_CRASH rc=$K2"
	mprof stats /tmp/out | head -12
	# The traces, for run.sh (make demo-xen keeps them; the host checks them too).
	echo "@@TRACE_BEGIN"; tar -C /tmp -cz out | base64; echo "@@TRACE_END"
	[ $C = 0 ] && [ $K1 = 0 ] && [ $K2 = 0 ] && RC=0
	echo "---- domU console ----"; cat /var/log/xen/guest-*.log 2>/dev/null
	xl destroy mprof-guest 2>/dev/null
else
	echo "@@XL_CREATE_FAILED"; tail -30 /tmp/xl-create.log
fi
echo "@@RESULT rc=$RC"
poweroff -f
