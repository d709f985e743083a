package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `unionbot import -as-suggestions` queues a file's leads once, however
// often it is imported, and moderators see them with their sources.
func TestImportAsSuggestions(t *testing.T) {
	env := embeddedEnv(t)
	file := filepath.Join(t.TempDir(), "leads.tsv")
	tsv := "name\tacronym\tkind\tcountry_iso2\tcity\twebsite\tsource_url\tsource_date\tpeer_run\n" +
		"Georgian Network of People who Use Drugs\tGeNPUD\tnational\tGE\t\t\thttp://www.medecinsdumonde.org/fr/node/9253\tn.d.\tunclear\n" +
		"Uganda Harm Reduction Network\tUHRN\tnational\tUG\t\thttp://ugandaharmreduction.org\thttps://docslib.org/download/955517/uganda-harm-reduction-network-uhrn\t2018, annual report 2017\tunclear\n" +
		"Kenya Network of People who Use Drugs\tKeNPUD\tnational\tKE\tNairobi\t\thttps://idpc.net/alerts/2013/03/capacity-building-workshop-for-drug-users-network-in-kenya\t2013-03\tyes\n"
	if err := os.WriteFile(file, []byte(tsv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runBot(t, env, "", "import", "--as-suggestions", file)
	if code != 0 || !strings.Contains(out, "leads: 2 queued for moderators, 0 queued before, 1 already listed") {
		t.Fatalf("first import: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runBot(t, env, "", "import", "-as-suggestions", file)
	if code != 0 || !strings.Contains(out, "leads: 0 queued for moderators, 2 queued before, 1 already listed") {
		t.Fatalf("second import: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runBot(t, env, "/queue\n", "console")
	if code != 0 || !strings.Contains(out, "2 waiting") {
		t.Fatalf("/queue after two imports: exit %d\n%s", code, out)
	}
	for _, want := range []string{"Georgian Network of People who Use Drugs", "the source does not say it is run by people who use drugs",
		"http://www.medecinsdumonde.org/fr/node/9253", "date given as 2018, annual report 2017"} {
		if !strings.Contains(out, want) {
			t.Errorf("moderators' view lacks %q:\n%s", want, out)
		}
	}
	// Leads are not entries until approved.
	if _, out, _ := runBot(t, env, "", "ask", "/find GeNPUD"); strings.Contains(out, "Georgian Network") {
		t.Errorf("a lead is listed before approval: %q", out)
	}
	if code, _, _ := runBot(t, env, "", "import", "-as-suggestions", "-delist-missing", file); code != 2 {
		t.Errorf("import with both flags: exit %d, want 2", code)
	}
}
