// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_as_user UID CMD [ARGS...]: run CMD as user and group UID, without
 * supplementary groups; for testing what an unprivileged user is told.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t id;

	if (argc < 3) {
		fprintf(stderr, "usage: kvmx_as_user UID CMD [ARGS...]\n");
		return 2;
	}
	id = atoi(argv[1]);
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("kvmx_as_user");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
