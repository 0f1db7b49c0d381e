/* cmd_history.c: `gilbench history`, the nightly history database, subcommand by subcommand.
 *
 *   list                 every run recorded
 *   show COMMIT          the runs of a commit with their medians, and its alerts
 *   alerts [--json]      the alerts
 *   report [--out DIR]   detection over every config, their pages (DIR/NAME/), new alerts: exit 5
 *   import RUN_DIR|ARCHIVE...   add finished runs (archives verified first); twice changes nothing
 *   ack ID [--note TEXT] mark an alert as known
 *
 * The first operand picks the subcommand; each refuses the options that are not its own. */
#include "cmd.h"
#include "histpage.h"
#include "histrun.h"
#include "history.h"
#include "histview.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int import(struct history *h, const struct opts *o)
{
	struct paths p = { 0 };
	int worst = EXIT_OK, v;

	if (o->nargs < 2)
		return cmd_error(&cmd_history, "import wants RUN_DIR or ARCHIVE operands");
	if (paths_cache(&p.cache) < 0)
		return cmd_fail();
	for (int i = 1; i < o->nargs; i++) {
		enum hinsert what;
		char *commit = NULL;
		v = hist_import(h, o->args[i], &p, &what, &commit);
		if (v == 0)
			printf("%s: %s (commit %.12s)\n", o->args[i], what == HIST_ADDED ? "recorded" : what == HIST_SAME
			       ? "recorded already, nothing changed" : "updated", commit);
		else
			fprintf(stderr, "gilbench: %s\n", errmsg());
		if (v != 0 && worst != EXIT_VERIFY)
			worst = v > 0 ? EXIT_VERIFY : EXIT_FAIL;
		free(commit);
	}
	paths_free(&p);
	return worst;
}

static int report(struct history *h, const struct opts *o)
{
	struct strlist configs = { 0 };
	const char *out = opt_text(o, OPT_OUT);
	size_t total = 0, raised;
	int rc = EXIT_OK;

	if (history_configs(h, &configs) < 0)
		return cmd_fail();
	if (!configs.n)
		printf("The history %s holds no run.\n", history_path(h));
	for (size_t i = 0; i < configs.n && rc == EXIT_OK; i++) {
		char *dir = xasprintf("%s/%s", out ? out : "reports/nightly", configs.v[i]), *text = NULL;
		if (histpage_update(h, configs.v[i], dir, &raised) < 0 || histview_new(h, configs.v[i], raised, dir, &text) < 0)
			rc = cmd_fail();
		else
			fputs(text, stdout);
		total += raised;
		free(text);
		free(dir);
	}
	strlist_free(&configs);
	return rc == EXIT_OK && total ? EXIT_REGRESSION : rc;
}

static int ack(struct history *h, const struct opts *o)
{
	char *end;
	long long id = o->nargs == 2 ? strtoll(o->args[1], &end, 10) : 0;
	int v;

	if (o->nargs != 2 || *end || id <= 0)
		return cmd_error(&cmd_history, "ack wants one alert ID (a number, as history alerts lists them)");
	if ((v = history_ack(h, id, opt_text(o, OPT_NOTE))) < 0)
		return cmd_fail();
	if (v > 0) {
		fprintf(stderr, "gilbench: %s has no alert %lld\n", history_path(h), id);
		return EXIT_FAIL;
	}
	printf("alert %lld acknowledged\n", id);
	return EXIT_OK;
}

static int view(struct history *h, const struct opts *o, const char *sub)
{
	bool json = opt_set(o, OPT_JSON);
	char *text = NULL;
	json_t *j = NULL;
	struct halert *a = NULL;
	size_t na = 0;
	int v = 0;

	if (strcmp(sub, "show") == 0) {
		if (o->nargs != 2 || strlen(o->args[1]) < 4 || strspn(o->args[1], "0123456789abcdef") != strlen(o->args[1]))
			return cmd_error(&cmd_history, "show wants one COMMIT: 4 to 40 hex digits");
		if ((v = histview_show(h, o->args[1], json, &text)) < 0)
			return cmd_fail();
	} else if (o->nargs != 1) {
		return cmd_error(&cmd_history, "%s takes no operand", sub);
	} else if (strcmp(sub, "list") == 0) {
		if (history_runs_json(h, NULL, &j) < 0)
			return cmd_fail();
		text = json ? json_dumps(j, JSON_DOC) : histview_runs(j);
	} else {
		if (history_alerts(h, NULL, &a, &na) < 0)
			return cmd_fail();
		j = histview_alerts_json(a, na);
		text = json ? json_dumps(j, JSON_DOC) : histview_alerts(a, na);
	}
	fputs(text ? text : "", stdout);
	if (json && text && strcmp(sub, "show") != 0)
		putchar('\n');
	if (v > 0)
		fprintf(stderr, "gilbench: no run of a commit starting with %s in %s\n", o->args[1], history_path(h));
	json_decref(j);
	halerts_free(a, na);
	free(text);
	return v > 0 ? EXIT_FAIL : EXIT_OK;
}

static int history_main(struct opts *o)
{
	static const struct { const char *name; enum optid allowed[4]; } subs[] = {
		{ "list", { OPT_DB, OPT_JSON, OPT_QUIET, NOPTS } },   { "show", { OPT_DB, OPT_JSON, OPT_QUIET, NOPTS } },
		{ "alerts", { OPT_DB, OPT_JSON, OPT_QUIET, NOPTS } }, { "report", { OPT_DB, OPT_OUT, OPT_QUIET, NOPTS } },
		{ "import", { OPT_DB, OPT_QUIET, NOPTS } },           { "ack", { OPT_DB, OPT_NOTE, OPT_QUIET, NOPTS } },
	};
	struct history *h = NULL;
	size_t s;
	int rc;

	if (o->nargs < 1)
		return cmd_error(&cmd_history, "missing a subcommand: list, show, alerts, report, import or ack");
	for (s = 0; s < LEN(subs) && strcmp(subs[s].name, o->args[0]) != 0; s++)
		;
	if (s == LEN(subs))
		return cmd_error(&cmd_history, "unknown subcommand '%s' (list, show, alerts, report, import, ack)", o->args[0]);
	if ((rc = opts_only(&cmd_history, o, subs[s].allowed, o->args[0])) != 0)
		return rc;
	if (history_open(opt_text(o, OPT_DB), strcmp(o->args[0], "import") == 0, &h) < 0)
		return cmd_fail();
	if (strcmp(o->args[0], "import") == 0)
		rc = import(h, o);
	else if (strcmp(o->args[0], "report") == 0)
		rc = report(h, o);
	else if (strcmp(o->args[0], "ack") == 0)
		rc = ack(h, o);
	else
		rc = view(h, o, o->args[0]);
	history_close(h);
	return rc;
}

static const struct cmdopt opts[] = {
	{ OPT_DB, NULL }, { OPT_JSON, "list, show, alerts: print JSON instead of text" },
	{ OPT_OUT, "report: write each config's pages into DIR/NAME (default reports/nightly/NAME)" },
	{ OPT_NOTE, "ack: why the alert is known (kept with it)" }, { OPT_QUIET, NULL },
	{ NOPTS, NULL },
};

const struct cmd cmd_history = {
	"history",
	"[--db FILE] list | show COMMIT | alerts [--json] | report [--out DIR] | import RUN_DIR|ARCHIVE... |\n"
	"                        ack ID [--note TEXT]",
	"the nightly history: its runs, alerts and pages; import runs from any machine",
	"The history (--db, $GILBENCH_DB, else reports/history.sqlite) indexes run directories and\n"
	"archives, which stay the truth: `history import` of them rebuilds it. Series are kept per\n"
	"machine and never mixed; pool machines by importing their archives into one history.\n"
	"\nexit codes: 0 done, 1 error, 2 usage, 3 an archive failed verification (import),\n"
	"            5 report raised a new regression alert\n",
	opts,
	history_main,
};
