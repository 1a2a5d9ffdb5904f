package web

import (
	"html/template"
	"net/http"

	"shipshape/internal/search"
)

// searchHit is one result as shown: where it links and its snippet as
// HTML (the search package escapes the text and adds only <mark>).
type searchHit struct {
	search.Result
	Path    string
	Snippet template.HTML
}

type searchData struct {
	Query string
	Hits  []searchHit
}

// searchPage answers the header's search box: the caller's best matches
// among the workspace's projects, releases and documents.
func (s *server) searchPage(w http.ResponseWriter, r *http.Request, c *call) {
	ctx := r.Context()
	ws, err := s.Workspaces.Get(ctx, c.uid(), r.PathValue("ws"))
	if err != nil {
		s.fail(w, r, c, err)
		return
	}
	q := r.URL.Query().Get("q")
	v := &view{Title: "Search · " + ws.Name, Nav: "search", WS: &wsView{Slug: ws.Slug, Name: ws.Name, Role: ws.Role}}
	d := searchData{Query: q}
	res, err := s.Search.Search(ctx, c.uid(), ws.Slug, q, 50)
	if f, ok := formError(err, "search", r.URL.Query()); ok {
		v.Forms, v.Status = map[string]form{"search": f}, f.Status
	} else if err != nil {
		s.fail(w, r, c, err)
		return
	}
	for _, h := range res {
		hit := searchHit{Result: h, Snippet: template.HTML(h.Snippet)} // escaped by internal/search
		switch {
		case h.Kind == search.Document:
			hit.Path = "/w/" + ws.Slug + "/docs/" + h.ID
		case h.Kind == search.Release && h.Project != nil && h.Release != nil:
			hit.Path = releasePath(ws.Slug, *h.Project, *h.Release)
		case h.Project != nil:
			hit.Path = "/w/" + ws.Slug + "/p/" + *h.Project
		}
		d.Hits = append(d.Hits, hit)
	}
	v.Data = d
	s.render(w, r, c, "search", v)
}
