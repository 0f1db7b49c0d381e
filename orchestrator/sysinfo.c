/* sysinfo.c: the machine a run measures on, and how quiet it is (see sysinfo.h).
 *
 * Everything comes from /proc and /sys, read whole with readfile() and picked apart with
 * sscanf/strstr: the files are line-oriented kernel text, not a format a library parses.
 * Unreadable files (no cpufreq in a VM, no intel_pstate on AMD) give JSON nulls. The
 * "other processes" share is (busy jiffies in the interval, in seconds) minus the CPU time
 * of our trials (from wait4) and of gilbench itself (getrusage), over the interval's
 * wall time times the number of CPUs. */
#include "sysinfo.h"
#include "spawn.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* the first line of a file, trimmed, or NULL */
static char *readline1(const char *path)
{
	char *data = NULL, *nl;
	size_t len;

	if (readfile(path, &data, &len) < 0)
		return NULL;
	nl = strchr(data, '\n');
	if (nl)
		*nl = '\0';
	return data;
}

static json_t *strornull_own(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null();
}

/* the value after "KEY<spaces>: " in a /proc file of such lines, or NULL */
static char *procfield(const char *path, const char *key)
{
	char *data = NULL, *res = NULL, *line, *save = NULL;
	size_t len, klen = strlen(key);

	if (readfile(path, &data, &len) < 0)
		return NULL;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p;
		if (strncmp(line, key, klen) != 0)
			continue;
		p = line + klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		res = xstrdup(p);
		break;
	}
	free(data);
	return res;
}

/* the governors of all CPUs: "performance" when all agree, "a,b" when they differ */
static json_t *governor(void)
{
	glob_t g = {0};
	struct strlist seen = {0};
	struct buf b = {0};
	json_t *j;

	if (glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *s = readline1(g.gl_pathv[i]);
			bool dup = false;
			if (!s)
				continue;
			for (size_t k = 0; k < seen.n; k++)
				dup = dup || strcmp(seen.v[k], s) == 0;
			if (!dup)
				strlist_addown(&seen, s);
			else
				free(s);
		}
	}
	globfree(&g);
	for (size_t k = 0; k < seen.n; k++)
		bufaddf(&b, "%s%s", k ? "," : "", seen.v[k]);
	j = b.s ? json_string(b.s) : json_null();
	buffree(&b);
	strlist_free(&seen);
	return j;
}

/* turbo: true (on), false (off) or null (unknown) */
static json_t *turbo(void)
{
	char *s = readline1("/sys/devices/system/cpu/intel_pstate/no_turbo");
	json_t *j = NULL;

	if (s)
		j = json_boolean(strcmp(s, "0") == 0);
	free(s);
	if (j)
		return j;
	s = readline1("/sys/devices/system/cpu/cpufreq/boost");
	if (s)
		j = json_boolean(strcmp(s, "1") == 0);
	free(s);
	return j ? j : json_null();
}

json_t *sysinfo_machine(void)
{
	json_t *m = json_object();
	struct utsname u;
	char *s;

	if (uname(&u) == 0)
		json_object_set_new(m, "kernel", json_pack("s+++++", u.sysname, " ", u.release, " ", u.version, ""));
	else
		json_object_set_new(m, "kernel", json_null());
	json_object_set_new(m, "machine", uname(&u) == 0 ? json_string(u.machine) : json_null());
	json_object_set_new(m, "cpu", strornull_own(procfield("/proc/cpuinfo", "model name")));
	json_object_set_new(m, "cores", json_integer(ncpus()));
	s = procfield("/proc/meminfo", "MemTotal");
	json_object_set_new(m, "memory_kb", s ? json_integer(atoll(s)) : json_null());
	free(s);
	json_object_set_new(m, "governor", governor());
	json_object_set_new(m, "turbo", turbo());
	s = readline1("/proc/sys/kernel/randomize_va_space");
	json_object_set_new(m, "aslr", s ? json_integer(atoi(s)) : json_null());
	free(s);
	return m;
}

/* the jiffies of one /proc/stat cpu line: busy (all but idle and iowait), total, steal */
static bool cpuline(const char *line, unsigned long long *busy, unsigned long long *total, unsigned long long *steal)
{
	unsigned long long v[10] = {0};
	int n = sscanf(line, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
	               &v[5], &v[6], &v[7], &v[8], &v[9]);
	unsigned long long t = 0;

	if (n < 4)
		return false;
	/* user nice system idle iowait irq softirq steal guest guest_nice; guest time is already
	 * counted in user and nice */
	for (int i = 0; i < n && i < 8; i++)
		t += v[i];
	*total += t;
	*busy += t - v[3] - (n > 4 ? v[4] : 0);
	*steal += n > 7 ? v[7] : 0;
	return true;
}

void sysinfo_sample_set(struct cpusample *s, const cpu_set_t *set)
{
	char *text = NULL, *line, *save = NULL;
	struct rusage ru;
	size_t len;

	memset(s, 0, sizeof(*s));
	s->load1 = s->load5 = s->load15 = -1;
	s->at = now();
	line = readline1("/proc/loadavg");
	if (line && sscanf(line, "%lf %lf %lf", &s->load1, &s->load5, &s->load15) != 3)
		s->load1 = s->load5 = s->load15 = -1;
	free(line);
	if (readfile("/proc/stat", &text, &len) == 0)
		for (line = strtok_r(text, "\n", &save); line && strncmp(line, "cpu", 3) == 0; line = strtok_r(NULL, "\n", &save)) {
			char *rest;
			long cpu;
			if (line[3] == ' ') { /* the sum of all CPUs */
				if (!set && cpuline(line + 4, &s->busy, &s->total, &s->steal))
					s->ncpu = ncpus();
				continue;
			}
			cpu = strtol(line + 3, &rest, 10);
			if (set && rest != line + 3 && cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET((int)cpu, set) &&
			    cpuline(rest, &s->busy, &s->total, &s->steal))
				s->ncpu++;
		}
	free(text);
	s->stalled = NAN;
	line = readline1("/proc/pressure/cpu");
	if (line && strncmp(line, "some ", 5) == 0 && strstr(line, "total="))
		s->stalled = strtod(strstr(line, "total=") + 6, NULL) / 1e6;
	free(line);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		s->selfcpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		             (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void sysinfo_sample(struct cpusample *s)
{
	sysinfo_sample_set(s, NULL);
}

void sysinfo_interference(const struct cpusample *a, const struct cpusample *b, double ourcpu,
                          struct interference *out)
{
	long hz = sysconf(_SC_CLK_TCK);
	double wall = b->at - a->at, capacity;

	out->others = out->share = out->steal = out->stall = NAN;
	out->cpus = a->ncpu;
	if (!a->ncpu || a->ncpu != b->ncpu || b->total < a->total || hz <= 0 || !(wall > 0))
		return;
	/* the wall clock, not the jiffies, is the capacity: jiffies tick in steps of 1/hz */
	capacity = wall * a->ncpu;
	out->others = (double)(b->busy - a->busy) / (double)hz - ourcpu - (b->selfcpu - a->selfcpu);
	if (out->others < 0)
		out->others = 0;
	out->share = out->others / capacity;
	out->steal = (double)(b->steal - a->steal) / (double)hz / capacity;
	if (!isnan(a->stalled) && !isnan(b->stalled) && b->stalled >= a->stalled)
		out->stall = (b->stalled - a->stalled) / wall;
}

json_t *sysinfo_load_json(const struct cpusample *s)
{
	if (s->load1 < 0)
		return json_null();
	return json_pack("{s:f,s:f,s:f}", "1m", s->load1, "5m", s->load5, "15m", s->load15);
}

double sysinfo_other_share(const struct cpusample *a, const struct cpusample *b, double childcpu)
{
	struct interference in;

	sysinfo_interference(a, b, childcpu, &in);
	return in.share;
}

double sysinfo_others_now(double window)
{
	struct cpusample a, b;
	struct interference in;
	struct timespec ts = { (time_t)window, (long)((window - (double)(time_t)window) * 1e9) };

	sysinfo_sample(&a);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !spawn_interrupted)
		;
	sysinfo_sample(&b);
	sysinfo_interference(&a, &b, 0, &in);
	return isnan(in.others) ? NAN : in.others / (b.at - a.at);
}

bool sysinfo_load_busy(double load1, int sparecores)
{
	if (load1 < 0)
		return false;
	if (sparecores < 1)
		sparecores = 1;
	return load1 > 0.5 * sparecores;
}
