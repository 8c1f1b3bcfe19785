#!/bin/bash -e
# pi-gen, on the build host: put depotline's files into the image. `files/` is filled by
# image_build/assemble-files.sh (image_build/build.sh runs it); DEPOTLINE_FILES overrides it.
files="${DEPOTLINE_FILES:-$(pwd)/files}"
root="${ROOTFS_DIR:?ROOTFS_DIR is not set (run this from pi-gen or image_build/check-stage.sh)}"

ls "${files}"/depotline-*.whl >/dev/null 2>&1 || {
    echo "no depotline wheel in ${files}: run image_build/assemble-files.sh first" >&2
    exit 1
}

# what 01-run-chroot.sh installs from, removed again at its end
install -d "${root}/tmp/depotline-install"
cp "${files}"/depotline-*.whl "${files}/requirements.lock" "${root}/tmp/depotline-install/"
if [ -d "${files}/pjsua2" ]; then
    cp -r "${files}/pjsua2" "${root}/tmp/depotline-install/"
fi
# a pjsua2 wheel built beforehand for the image's architecture (the x86_64 test root, the
# emulated Pi's cross-compiled one) is installed instead of building from the tarball
if ls "${files}"/pjsua2-*.whl >/dev/null 2>&1; then
    cp "${files}"/pjsua2-*.whl "${root}/tmp/depotline-install/"
fi
if [ -f "${files}/pjproject-2.15.1.tar.gz" ]; then
    cp "${files}/pjproject-2.15.1.tar.gz" "${root}/tmp/depotline-install/"
fi
# a root of the build host's own architecture (the x86_64 test root): the host's pjsua2 wheel
if ls "${files}"/pjsua2-*.whl >/dev/null 2>&1; then
    cp "${files}"/pjsua2-*.whl "${root}/tmp/depotline-install/"
fi

# systemd units, udev rules, users and directories
install -m 644 -D -t "${root}/usr/lib/systemd/system" \
    "${files}/systemd/depotline.service" \
    "${files}/systemd/depotline-backup.service" \
    "${files}/systemd/depotline-backup.timer" \
    "${files}/systemd/depotline-firstboot.service" \
    "${files}/systemd/depotline-issue.path" \
    "${files}/systemd/depotline-issue.service"
install -m 644 -D "${files}/systemd/99-depotline.rules" "${root}/usr/lib/udev/rules.d/99-depotline.rules"
install -m 644 -D "${files}/systemd/depotline.sysusers" "${root}/usr/lib/sysusers.d/depotline.conf"
install -m 644 -D "${files}/systemd/depotline.tmpfiles" "${root}/usr/lib/tmpfiles.d/depotline.conf"

# first boot, documentation, the starting configuration (never over an existing one)
install -m 755 -D "${files}/depotline-firstboot" "${root}/opt/depotline/bin/depotline-firstboot"
install -d "${root}/opt/depotline/docs"
cp "${files}"/docs/*.md "${root}/opt/depotline/docs/"
install -d -m 750 "${root}/etc/depotline"
if [ ! -e "${root}/etc/depotline/depotline.toml" ]; then
    install -m 640 "${files}/depotline.toml" "${root}/etc/depotline/depotline.toml"
fi

# No /etc/fstab line for the records' own partition (docs/box.md, "Read-only root", adds it
# with the partition): the daemon's StateDirectory= makes systemd require every mount on
# /var/lib/depotline, so a line for a partition that is not there, even with nofail, keeps
# depotline from starting at all ("Dependency failed"; seen on the emulated Pi, make pi-check).
