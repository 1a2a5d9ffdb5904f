package web

import (
	"net/http"

	"shipshape/internal/account"
)

// deleteAccountPage asks for the password before scheduling the erasure
// of the caller's account, or shows the scheduled date with a way to
// cancel.
func (s *server) deleteAccountPage(w http.ResponseWriter, r *http.Request, c *call) {
	s.render(w, r, c, "delete-account", &view{Title: "Delete my account", Nav: "profile", Data: s.deletionData(r)})
}

// deletionData is what the page says about the grace period in force.
type deletionData struct{ GraceDays int }

func (s *server) deletionData(r *http.Request) deletionData {
	return deletionData{GraceDays: int(s.Accounts.Grace(r.Context()).Hours() / 24)}
}

func (s *server) scheduleDeletion(w http.ResponseWriter, r *http.Request, c *call) {
	if !s.parseForm(w, r, c) {
		return
	}
	_, err := s.Accounts.ScheduleDeletion(r.Context(), c.actor, c.p, account.DeleteInput{Password: r.PostForm.Get("password")})
	if err != nil {
		if f, ok := formError(err, "delete", r.PostForm); ok {
			v := withForm(f)
			v.Title, v.Nav, v.Data = "Delete my account", "profile", s.deletionData(r)
			s.render(w, r, c, "delete-account", v)
			return
		}
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile/delete?notice=deletion-scheduled")
}

func (s *server) cancelDeletion(w http.ResponseWriter, r *http.Request, c *call) {
	if err := s.Accounts.CancelDeletion(r.Context(), c.actor, c.p); err != nil {
		s.fail(w, r, c, err)
		return
	}
	redirect(w, r, "/profile?notice=deletion-cancelled")
}
