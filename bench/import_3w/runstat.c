/*
 * runstat: runs a command and reports its wall time and peak resident memory, the two numbers
 * bench/import_3w compares. Usage:
 *
 *	runstat [-o FILE] [-q] -- COMMAND [ARG...]
 *
 * Prints one line "wall_s=12.345678 user_s=11.9 sys_s=0.4 maxrss_kib=23456 status=0" to FILE
 * (default standard error) after the command ends: wall time, CPU time in user and kernel mode,
 * peak resident memory and exit status. With -q the command's standard output goes to /dev/null.
 * The exit status is the command's (128 + signal when it was killed, 127 when it could not run).
 *
 * Peak memory is ru_maxrss from wait4(): the child's high-water resident set in KiB, measured by
 * the kernel, so nothing is sampled and nothing is missed between samples; no GNU time needed.
 * Wall time is CLOCK_MONOTONIC around fork() and wait4().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fputs("usage: runstat [-o FILE] [-q] -- COMMAND [ARG...]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	int quiet = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if (!strcmp(argv[i], "-q")) {
			quiet = 1;
		} else {
			return usage();
		}
	}
	if (i >= argc)
		return usage();

	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				close(fd);
			}
		}
		execvp(argv[i], argv + i);
		fprintf(stderr, "runstat: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}

	int status;
	struct rusage ru;
	pid_t got;
	do {
		got = wait4(pid, &status, 0, &ru);
	} while (got < 0 && errno == EINTR);
	double wall = now_s() - t0;
	if (got < 0) {
		fprintf(stderr, "runstat: wait4: %s\n", strerror(errno));
		return 127;
	}

	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	FILE *out = stderr;
	if (out_path) {
		out = fopen(out_path, "w");
		if (!out) {
			fprintf(stderr, "runstat: %s: %s\n", out_path, strerror(errno));
			return 127;
		}
	}
	fprintf(out, "wall_s=%.6f user_s=%.6f sys_s=%.6f maxrss_kib=%ld status=%d\n", wall,
	        (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	        (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, code);
	if (out != stderr && fclose(out) != 0) {
		fprintf(stderr, "runstat: %s: %s\n", out_path, strerror(errno));
		return 127;
	}
	return code;
}
