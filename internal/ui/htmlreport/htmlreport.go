// Package htmlreport writes the self-contained HTML report of a batch
// verify run: one row per file with a thumbnail of the image, the badge and
// issuer names, the verdict and the messages, and a control that filters
// the table to the failures.
//
// Memory stays flat: each row is rendered as it arrives into a scratch file
// (the image is read again from disk for its thumbnail, then dropped), and
// Commit assembles header, rows and footer into the destination, written
// atomically. Only the counts are kept.
//
// Everything is rendered with html/template, so text from badges is
// escaped. Thumbnails are the image files themselves as data: URIs in
// <img> elements (scaled by CSS only), so scripts inside SVG images never
// run; a Content-Security-Policy forbids anything but inline styles, the
// report's own inline script and data: images.
package htmlreport

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/badgebake/badgebake/internal/atomicfile"
	"github.com/badgebake/badgebake/internal/ui/badgecard"
)

// Statuses of a file, as batch verify names them.
const (
	StatusValid         = "valid"
	StatusInvalid       = "invalid"
	StatusRevoked       = "revoked"
	StatusIndeterminate = "indeterminate"
	StatusNoBadge       = "no-badge"
	StatusNotImage      = "not-an-image"
	StatusUnreadable    = "error"
)

// MaxThumbnail is the largest image embedded as a thumbnail; larger images
// get a placeholder.
const MaxThumbnail = badgecard.MaxImage

// MaxMessages bounds the messages shown for one file.
const MaxMessages = 50

// Message is one finding shown for a file.
type Message struct {
	Level, Name, Text string
}

// Row is what the report shows for one file.
type Row struct {
	File     string // path of the image, read again for the thumbnail
	Status   string // one of the Status constants
	Badge    string // BadgeClass name
	Issuer   string // Issuer (Profile) name
	Messages []Message
	Error    string // why the file could not be verified
}

// Counts are the totals shown at the top of the report.
type Counts struct {
	Files, Valid, Invalid, Revoked, Indeterminate, NoBadge, NotImage, Unreadable int
}

// Failures is the number of files that are not valid.
func (c Counts) Failures() int { return c.Files - c.Valid }

func (c *Counts) add(status string) {
	c.Files++
	switch status {
	case StatusValid:
		c.Valid++
	case StatusRevoked:
		c.Invalid++
		c.Revoked++
	case StatusInvalid:
		c.Invalid++
	case StatusIndeterminate:
		c.Indeterminate++
	case StatusNoBadge:
		c.NoBadge++
	case StatusNotImage:
		c.NotImage++
	default:
		c.Unreadable++
	}
}

var labels = map[string]string{
	StatusValid: "valid", StatusInvalid: "invalid", StatusRevoked: "revoked",
	StatusIndeterminate: "could not be checked", StatusNoBadge: "no badge", StatusNotImage: "not an image", StatusUnreadable: "unreadable",
}

// Label is the verdict shown for a status.
func Label(status string) string {
	if l, ok := labels[status]; ok {
		return l
	}
	return status
}

// Writer renders a report. Create it, Add every row, then Commit (or
// Abort).
type Writer struct {
	out     *atomicfile.File
	scratch *atomicfile.File
	rows    *bufio.Writer
	counts  Counts
	started time.Time
	err     error
}

// Create starts a report at path. The destination only appears on Commit.
func Create(path string) (*Writer, error) {
	out, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, err
	}
	scratch, err := atomicfile.CreateTemp()
	if err != nil {
		out.Abort()
		return nil, err
	}
	return &Writer{out: out, scratch: scratch, rows: bufio.NewWriterSize(scratch, 64<<10), started: time.Now()}, nil
}

// Counts returns the totals so far.
func (w *Writer) Counts() Counts { return w.counts }

type rowData struct {
	Row
	N           int
	OK          bool
	Label       string
	Thumb       template.URL
	Placeholder string
	More        int
}

// Add renders one row, reading the image again for its thumbnail.
func (w *Writer) Add(r Row) error {
	if w.err != nil {
		return w.err
	}
	w.counts.add(r.Status)
	d := rowData{Row: r, N: w.counts.Files, OK: r.Status == StatusValid, Label: Label(r.Status)}
	if len(d.Messages) > MaxMessages {
		d.More = len(d.Messages) - MaxMessages
		d.Messages = d.Messages[:MaxMessages]
	}
	d.Thumb, d.Placeholder = Thumbnail(r.File)
	if err := tmpl().ExecuteTemplate(w.rows, "row", &d); err != nil {
		w.err = fmt.Errorf("writing the report: %w", err)
	}
	return w.err
}

// Thumbnail returns the file as a data: URI when it is a PNG, SVG, GIF,
// JPEG or WebP image no larger than MaxThumbnail, or else the reason there
// is no thumbnail.
func Thumbnail(file string) (template.URL, string) {
	f, err := os.Open(file)
	if err != nil {
		return "", "cannot read"
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", "cannot read"
	} else if fi.Size() > MaxThumbnail {
		return "", fmt.Sprintf("image over %d KiB", MaxThumbnail>>10)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxThumbnail+1))
	if err != nil {
		return "", "cannot read"
	}
	if len(b) > MaxThumbnail {
		return "", fmt.Sprintf("image over %d KiB", MaxThumbnail>>10)
	}
	return badgecard.DataURI(b)
}

type pageData struct {
	Title       string
	Counts      Counts
	Generated   string
	Interrupted bool
}

// Commit writes the report (header with the counts, the rows, the footer)
// and renames it into place. interrupted notes that the run was stopped.
func (w *Writer) Commit(interrupted bool) error {
	defer w.Abort()
	if w.err != nil {
		return w.err
	}
	err := w.rows.Flush()
	if err == nil {
		_, err = w.scratch.Seek(0, io.SeekStart)
	}
	out := bufio.NewWriterSize(w.out, 64<<10)
	page := pageData{Title: "badgebake verify report", Counts: w.counts, Generated: w.started.UTC().Format(time.RFC3339), Interrupted: interrupted}
	if err == nil {
		err = tmpl().ExecuteTemplate(out, "head", &page)
	}
	if err == nil {
		_, err = io.Copy(out, w.scratch)
	}
	if err == nil {
		err = tmpl().ExecuteTemplate(out, "foot", &page)
	}
	if err == nil {
		err = out.Flush()
	}
	if err == nil {
		err = w.out.Commit()
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// Abort discards the report. Safe after Commit.
func (w *Writer) Abort() {
	w.out.Abort()
	w.scratch.Abort()
}

// tmpl is parsed on first use, not at start-up.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(templates))
})

const templates = `{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4em .6em; border-bottom: 1px solid #ddd; }
.thumb img, .placeholder { width: 64px; height: 64px; object-fit: contain; display: block; }
.placeholder { background: #eee; color: #777; font-size: 11px; display: flex; align-items: center; justify-content: center; text-align: center; }
.file { font-family: monospace; word-break: break-all; }
.badge { font-weight: bold; }
.issuer { color: #555; }
.verdict { font-weight: bold; padding: .1em .4em; border-radius: 3px; white-space: nowrap; }
.v-valid { background: #d7f5d7; color: #135c13; }
.v-invalid, .v-revoked, .v-error { background: #fbd9d9; color: #8a1212; }
.v-no-badge, .v-not-an-image, .v-indeterminate { background: #fff0c2; color: #6b5100; }
ul.messages { margin: 0; padding-left: 1.2em; }
.lvl-error { color: #8a1212; }
.lvl-warning { color: #6b5100; }
.lvl-info { color: #555; }
.counts span { margin-right: 1.2em; }
/* Without JavaScript the checkbox alone hides the valid rows. */
#failures-only:checked ~ table tr.ok, tr.hidden { display: none; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="counts" id="counts"><span>files <b id="count-files">{{.Counts.Files}}</b></span><span>valid <b id="count-valid">{{.Counts.Valid}}</b></span><span>invalid <b id="count-invalid">{{.Counts.Invalid}}</b> (revoked <b id="count-revoked">{{.Counts.Revoked}}</b>)</span><span>could not be checked <b id="count-indeterminate">{{.Counts.Indeterminate}}</b></span><span>no badge <b id="count-no-badge">{{.Counts.NoBadge}}</b></span><span>not an image <b id="count-not-an-image">{{.Counts.NotImage}}</b></span><span>unreadable <b id="count-unreadable">{{.Counts.Unreadable}}</b></span></p>
<p>Generated {{.Generated}}.{{if .Interrupted}} <strong>The run was interrupted: only the files finished so far are listed.</strong>{{end}}</p>
<input type="checkbox" id="failures-only"> <label for="failures-only">Show only the failures ({{.Counts.Failures}})</label>
<table id="files">
<thead><tr><th>Image</th><th>File, badge, issuer</th><th>Verdict</th><th>Messages</th></tr></thead>
<tbody>
{{end}}

{{define "row"}}<tr id="row-{{.N}}" class="row {{if .OK}}ok{{else}}fail{{end}}" data-status="{{.Status}}">
<td class="thumb">{{if .Thumb}}<img src="{{.Thumb}}" alt="thumbnail">{{else}}<div class="placeholder">{{.Placeholder}}</div>{{end}}</td>
<td><div class="file">{{.File}}</div>{{if .Badge}}<div class="badge">{{.Badge}}</div>{{end}}{{if .Issuer}}<div class="issuer">{{.Issuer}}</div>{{end}}</td>
<td><span class="verdict v-{{.Status}}">{{.Label}}</span></td>
<td>{{if .Error}}<p class="error">{{.Error}}</p>{{end}}{{if .Messages}}<ul class="messages">{{range .Messages}}<li class="lvl-{{lower .Level}}"><b>{{.Level}}</b> {{.Name}}: {{.Text}}</li>{{end}}{{if .More}}<li>… and {{.More}} more</li>{{end}}</ul>{{end}}</td>
</tr>
{{end}}

{{define "foot"}}</tbody>
</table>
<script>
(function () {
  var box = document.getElementById("failures-only");
  function apply() {
    var rows = document.querySelectorAll("#files tr.row");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("hidden", box.checked && rows[i].classList.contains("ok"));
    }
  }
  if (location.search.indexOf("failures") >= 0 || location.hash === "#failures") {
    box.checked = true;
  }
  box.addEventListener("change", apply);
  apply();
})();
</script>
</body>
</html>
{{end}}`
