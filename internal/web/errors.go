package web

import (
	"net/http"
	"strconv"

	"shipshape/internal/apperr"
	"shipshape/internal/httpx"
)

// errorView is what the error page shows.
type errorView struct {
	Status     int
	Heading    string
	Message    string
	RetryAfter int // seconds, for 429
}

var errorTexts = map[int][2]string{
	http.StatusBadRequest:            {"That request did not make sense", "Something in the request was not valid. Go back and try again."},
	http.StatusForbidden:             {"You can't do that here", "Your role in this workspace does not allow this action. Ask a workspace admin if you need it."},
	http.StatusNotFound:              {"Page not found", "This page does not exist, or you do not have access to it."},
	http.StatusConflict:              {"That clashes with something", "The change conflicts with the current state. Reload the page and try again."},
	http.StatusRequestEntityTooLarge: {"That was too much at once", "The submitted form is larger than this server accepts."},
	http.StatusTooManyRequests:       {"Too many attempts", "Please wait a moment before trying again."},
	http.StatusInternalServerError:   {"Something went wrong on our side", "The problem has been logged. If it keeps happening, give your administrator the request id below."},
}

// errorPage renders a styled error page; message replaces the standard
// explanation when it is not empty.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.errorPageFor(w, r, s.optionalCall(r), status, message, 0)
}

func (s *server) errorPageFor(w http.ResponseWriter, r *http.Request, c *call, status int, message string, retry int) {
	texts, ok := errorTexts[status]
	if !ok {
		texts = [2]string{http.StatusText(status), ""}
	}
	ev := errorView{Status: status, Heading: texts[0], Message: texts[1], RetryAfter: retry}
	if message != "" {
		ev.Message = message
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	s.render(w, r, c, "error", &view{Title: ev.Heading, Status: status, Data: ev})
}

// fail renders the error page that fits err. Only internal errors are
// logged, with the request id the page shows.
func (s *server) fail(w http.ResponseWriter, r *http.Request, c *call, err error) {
	ae := httpx.AsAppError(err)
	switch ae.Code {
	case apperr.Unauthenticated:
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	case apperr.Internal:
		s.Log.Error("internal error", "request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", httpx.LogPath(r.URL.Path), "err", err)
		s.errorPageFor(w, r, c, http.StatusInternalServerError, "", 0)
		return
	case apperr.NotFound:
		// The same page whether the thing is missing or hidden from the caller.
		s.errorPageFor(w, r, c, http.StatusNotFound, "", 0)
		return
	}
	s.errorPageFor(w, r, c, apperr.Status(ae.Code), ae.Message, ae.RetryAfter)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "")
}

func (s *server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusForbidden, "This form was sent from another site, so it was refused. Open Shipshape directly and try again.")
}
