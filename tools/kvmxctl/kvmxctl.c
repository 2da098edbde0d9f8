// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl: the kvmx userspace controller.
 *
 *   kvmxctl version [--json]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvmx.h>

static const char usage[] =
"usage: kvmxctl [--json] COMMAND\n"
"\n"
"commands:\n"
"  version    versions of kvmxctl's uapi and of the loaded module;\n"
"             fails if their major versions differ\n"
"\n"
"options:\n"
"  --json     machine-readable output\n"
"  -h, --help this text\n";

static int json;

static int open_kvmx(void)
{
	int fd = open("/dev/kvmx", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "kvmxctl: /dev/kvmx: %s%s\n", strerror(errno),
			errno == ENOENT ? " (is the kvmx module loaded?)" : "");
	return fd;
}

static int cmd_version(void)
{
	int fd = open_kvmx(), v;

	if (fd < 0)
		return 1;
	v = ioctl(fd, KVMX_GET_API_VERSION, 0);
	close(fd);
	if (v < 0) {
		fprintf(stderr, "kvmxctl: KVMX_GET_API_VERSION: %s\n", strerror(errno));
		return 1;
	}
	if (json)
		printf("{\"uapi\":\"%u.%u\",\"module\":\"%u.%u\"}\n",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	else
		printf("kvmxctl uapi %u.%u, module api %u.%u\n",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	if (KVMX_API_VERSION_MAJOR(v) != KVMX_API_MAJOR) {
		fprintf(stderr, "kvmxctl: module API major %u, kvmxctl speaks %u\n",
			KVMX_API_VERSION_MAJOR(v), KVMX_API_MAJOR);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (argv[i][0] == '-' || cmd) {
			fprintf(stderr, "kvmxctl: unexpected argument '%s'\n%s", argv[i], usage);
			return 2;
		}
		cmd = argv[i];
	}
	if (!cmd) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "version"))
		return cmd_version();
	fprintf(stderr, "kvmxctl: unknown command '%s'\n%s", cmd, usage);
	return 2;
}
