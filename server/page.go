package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/badgebake/badgebake/report"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/style.css
var styleCSS []byte

// pages are parsed once, on first use (not at start-up: the command's other
// work never needs them); html/template escapes every value for where it
// appears (text, attribute, URL), so nothing a badge says can become markup.
var pages = sync.OnceValue(func() map[string]*template.Template {
	funcs := template.FuncMap{"lower": strings.ToLower, "level": levelClass}
	m := map[string]*template.Template{}
	for _, name := range []string{"index", "results", "error"} {
		m[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	return m
})

// page is what every page shows.
type page struct {
	Title   string
	Version string
	MaxMiB  string
}

func (s *Server) page(title string) page {
	return page{Title: title, Version: s.opts.Version, MaxMiB: formatBytes(s.opts.MaxUpload)}
}

type indexPage struct {
	page
	Data string
}

type errorPage struct {
	page
	Status     int
	StatusText string
	Message    string
	Hint       string
}

// home is GET /: the form, the data field pre-filled from ?url= as the
// reference does.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "index", indexPage{page: s.page("Verify an Open Badge"), Data: r.URL.Query().Get("url")})
}

// render executes a page into memory first, so a template error becomes a
// 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, code int, name string, data any) {
	var buf bytes.Buffer
	if err := pages()[name].Execute(&buf, data); err != nil {
		s.opts.Logger.Error("rendering page", "page", name, "error", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(styleCSS)
}

func levelClass(l report.Level) string { return "lvl-" + strings.ToLower(string(l)) }

// indentJSON is the report as the raw-JSON section shows it.
func indentJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	return buf.String()
}
