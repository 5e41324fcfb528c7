/*
 * concord demo load CASE: loads a case study by running the steps of its manifest,
 * data/cases/CASE/case.txt, through this program's own dispatcher, one after the other.
 *
 * The manifest has one step per line: the exit statuses the step may end with ("0", "0,3"),
 * then a concord command line without "concord" (words split at white space, "double quotes"
 * group words). Words starting with ./ or ../ are paths relative to the case folder and may
 * hold glob patterns. Blank lines and lines starting with # are skipped.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <concord/alloc.h>

#include "cli/cli.h"

#define CC_BANNED_ALLOW_IO
#include "core/banned.h"

#define MAX_WORDS 256
#define MAX_LINE 4096

struct words {
	char *w[MAX_WORDS];
	size_t n;
};

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		cc_free(w->w[i]);
	w->n = 0;
}

static int words_add(struct words *w, const char *s, size_t len)
{
	if (w->n + 1 >= MAX_WORDS)
		return -1;
	if (!(w->w[w->n] = cc_strndup(s, len)))
		return -1;
	w->n++;
	return 0;
}

/* Splits line into words; "..." groups (\" and \\ inside). 0, or -1 with *why set. */
static int split(const char *line, struct words *out, const char **why)
{
	char buf[MAX_LINE];
	const char *p = line;

	while (*p) {
		size_t n = 0;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'))) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
				continue;
			}
			if (quoted && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n + 1 >= sizeof(buf)) {
				*why = "word too long";
				return -1;
			}
			buf[n++] = *p++;
		}
		if (quoted) {
			*why = "unterminated quote";
			return -1;
		}
		if (words_add(out, buf, n) < 0) {
			*why = "too many words";
			return -1;
		}
	}
	return 0;
}

/* The line after its first word, without the line end. */
static const char *text_after_first_word(char *line)
{
	char *p = line + strspn(line, " \t");

	p += strcspn(p, " \t");
	p += strspn(p, " \t");
	p[strcspn(p, "\r\n")] = '\0';
	return p;
}

/* Resolves a ./ or ../ word against dir (glob patterns expanded, sorted) into out. */
static int add_path(struct words *out, const char *dir, const char *word, const char **why)
{
	char path[PATH_MAX];
	glob_t g;
	int rc;

	if (!strncmp(word, "./", 2))
		word += 2;
	if (snprintf(path, sizeof(path), "%s/%s", dir, word) >= (int)sizeof(path)) {
		*why = "path too long";
		return -1;
	}
	if (!strpbrk(word, "*?[")) {
		if (words_add(out, path, strlen(path)) < 0) {
			*why = "too many words";
			return -1;
		}
		return 0;
	}
	rc = glob(path, 0, NULL, &g);
	if (rc != 0) {
		*why = rc == GLOB_NOMATCH ? "pattern matches no file" : "cannot expand pattern";
		return -1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (words_add(out, g.gl_pathv[i], strlen(g.gl_pathv[i])) < 0) {
			globfree(&g);
			*why = "too many words";
			return -1;
		}
	}
	globfree(&g);
	return 0;
}

/* "0,3" -> bitmask of statuses 0..31 */
static int parse_statuses(const char *s, unsigned *mask)
{
	*mask = 0;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s || v < 0 || v > 31)
			return -1;
		*mask |= 1u << v;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return *mask ? 0 : -1;
}

static bool is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The folder of the case: CASE itself when it names a folder with a '/', else data/cases/CASE
   here, else next to the program (build/concord -> data/cases/CASE of the source tree). */
static int find_case(const char *name, char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len;

	if (strchr(name, '/'))
		return snprintf(out, n, "%s", name) < (int)n && is_dir(out) ? 0 : -1;
	if (snprintf(out, n, "data/cases/%s", name) < (int)n && is_dir(out))
		return 0;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		if (snprintf(out, n, "%s/../data/cases/%s", exe, name) < (int)n && is_dir(out))
			return 0;
		if (snprintf(out, n, "%s/../share/concord/cases/%s", exe, name) < (int)n &&
		    is_dir(out))
			return 0;
	}
	return -1;
}

struct step {
	long line;
	char *text; /* the command as written in the manifest, for the progress line */
	unsigned expect;
	struct words argv; /* after "concord -d DB [-m M]" */
};

static void steps_free(struct step *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		words_free(&s[i].argv);
		cc_free(s[i].text);
	}
	cc_free(s);
}

/* Reads and checks the whole manifest before anything runs. */
static int read_manifest(const char *dir, const char *path, struct step **out, size_t *n_out)
{
	char line[MAX_LINE];
	struct step *steps = NULL;
	size_t n = 0, cap = 0;
	long lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	*out = NULL;
	*n_out = 0;
	if (!f) {
		fprintf(stderr, "concord demo: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct words w = { 0 };
		const char *why = NULL;
		struct step *s;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			why = "line longer than 4095 bytes";
		} else if (split(line, &w, &why) == 0) {
			if (w.n == 0 || w.w[0][0] == '#') {
				words_free(&w);
				continue;
			}
			if (w.n < 2)
				why = "a step needs exit statuses and a command";
		}
		if (!why && n == cap) {
			struct step *p = cc_realloc(steps, (cap ? cap * 2 : 16) * sizeof(*p));

			if (!p)
				why = "out of memory";
			else {
				steps = p;
				cap = cap ? cap * 2 : 16;
			}
		}
		if (!why) {
			s = &steps[n];
			memset(s, 0, sizeof(*s));
			s->line = lineno;
			if (parse_statuses(w.w[0], &s->expect) < 0)
				why = "exit statuses must look like 0 or 0,3";
			else if (!(s->text = cc_strdup(text_after_first_word(line))))
				why = "out of memory";
			for (size_t i = 1; !why && i < w.n; i++) {
				if (!strncmp(w.w[i], "./", 2) || !strncmp(w.w[i], "../", 3)) {
					if (add_path(&s->argv, dir, w.w[i], &why) < 0)
						break;
				} else if (words_add(&s->argv, w.w[i], strlen(w.w[i])) < 0) {
					why = "too many words";
				}
			}
			n++;
		}
		words_free(&w);
		if (why) {
			fprintf(stderr, "concord demo: %s:%ld: %s\n", path, lineno, why);
			ret = -1;
			break;
		}
	}
	if (ret == 0 && ferror(f)) {
		fprintf(stderr, "concord demo: cannot read %s\n", path);
		ret = -1;
	}
	fclose(f);
	if (ret < 0) {
		steps_free(steps, n);
		return -1;
	}
	*out = steps;
	*n_out = n;
	return 0;
}


static int demo_load(struct cli *cli, const char *name)
{
	char dir[PATH_MAX], manifest[PATH_MAX + 16];
	struct step *steps = NULL;
	size_t n = 0;
	int ret = CLI_OK;

	if (find_case(name, dir, sizeof(dir)) < 0) {
		fprintf(stderr, "concord demo: no case '%s' (data/cases/%s); `concord demo list` "
		                "lists them\n",
		        name, name);
		return CLI_FAIL;
	}
	if (snprintf(manifest, sizeof(manifest), "%s/case.txt", dir) >= (int)sizeof(manifest) ||
	    read_manifest(dir, manifest, &steps, &n) < 0)
		return CLI_FAIL;
	for (size_t i = 0; i < n && ret == CLI_OK; i++) {
		char *argv[MAX_WORDS + 8];
		int argc = 0, rc;

		argv[argc++] = (char *)"concord";
		argv[argc++] = (char *)"-d";
		argv[argc++] = (char *)cli->db;
		if (cli->mission) {
			argv[argc++] = (char *)"-m";
			argv[argc++] = (char *)cli->mission;
		}
		for (size_t k = 0; k < steps[i].argv.n; k++)
			argv[argc++] = steps[i].argv.w[k];
		argv[argc] = NULL;
		fprintf(stderr, "demo %s: [%zu/%zu] concord %s\n", name, i + 1, n, steps[i].text);
		fflush(stdout);
		optind = 0; /* a fresh getopt for each step */
		rc = cli_main(argc, argv);
		fflush(stdout);
		if (rc < 0 || rc > 31 || !(steps[i].expect & (1u << rc))) {
			fprintf(stderr, "concord demo: %s:%ld: step %zu ended with exit status %d, "
			                "not as expected; stopped\n",
			        manifest, steps[i].line, i + 1, rc);
			ret = CLI_FAIL;
		} else if (rc != 0) {
			fprintf(stderr, "demo %s: [%zu/%zu] exit status %d, as expected\n", name, i + 1,
			        n, rc);
		}
	}
	if (ret == CLI_OK)
		fprintf(stderr, "demo %s: %zu steps done; the store is %s\n", name, n, cli->db);
	steps_free(steps, n);
	return ret;
}

static int demo_list(void)
{
	const char *roots[] = { "data/cases" };
	DIR *d = opendir(roots[0]);
	struct dirent *e;

	if (!d) {
		fprintf(stderr, "concord demo: no data/cases folder here\n");
		return CLI_FAIL;
	}
	while ((e = readdir(d))) {
		char p[PATH_MAX];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(p, sizeof(p), "%s/%s/case.txt", roots[0], e->d_name) < (int)sizeof(p) &&
		    stat(p, &sb) == 0)
			printf("%s\n", e->d_name);
	}
	closedir(d);
	return CLI_OK;
}

int cli_demo(struct cli *cli, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return demo_list();
	if (argc != 3 || strcmp(argv[1], "load") != 0)
		return cli_usage(cli, "demo load CASE | demo list");
	return demo_load(cli, argv[2]);
}
