package web

// routes lists every page on one screen. GET pages render; POST handlers
// change one thing and redirect (303) or re-render the form with problems.
func (s *server) routes(mux *router) {
	mux.HandleFunc("GET /static/{file}", s.serveStatic)

	// Getting in.
	mux.HandleFunc("GET /setup", s.setupPage)
	mux.HandleFunc("POST /setup", s.setup)
	mux.HandleFunc("GET /signup", s.signupPage)
	mux.HandleFunc("POST /signup", s.signup)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /invite/{token}", s.invitePage)
	mux.HandleFunc("POST /invite/{token}", s.authed(s.acceptInvite))

	// Dashboard and workspaces.
	mux.HandleFunc("GET /{$}", s.authed(s.dashboard))
	mux.HandleFunc("POST /workspaces", s.authed(s.createWorkspace))
	mux.HandleFunc("GET /w/{ws}", s.authed(s.projectsPage))
	mux.HandleFunc("POST /w/{ws}/projects", s.authed(s.createProject))
	mux.HandleFunc("GET /w/{ws}/settings", s.authed(s.settingsPage))
	mux.HandleFunc("POST /w/{ws}/settings", s.authed(s.renameWorkspace))
	mux.HandleFunc("POST /w/{ws}/leave", s.authed(s.leaveWorkspace))

	// Projects and components.
	mux.HandleFunc("GET /w/{ws}/p/{key}", s.authed(s.projectPage))
	mux.HandleFunc("POST /w/{ws}/p/{key}", s.authed(s.updateProject))
	mux.HandleFunc("POST /w/{ws}/p/{key}/archive", s.authed(s.archiveProject(true)))
	mux.HandleFunc("POST /w/{ws}/p/{key}/unarchive", s.authed(s.archiveProject(false)))
	mux.HandleFunc("POST /w/{ws}/p/{key}/delete", s.authed(s.deleteProject))
	mux.HandleFunc("POST /w/{ws}/p/{key}/components", s.authed(s.createComponent))
	mux.HandleFunc("GET /w/{ws}/p/{key}/c/{slug}", s.authed(s.componentPage))
	mux.HandleFunc("POST /w/{ws}/p/{key}/c/{slug}", s.authed(s.updateComponent))
	mux.HandleFunc("POST /w/{ws}/p/{key}/c/{slug}/delete", s.authed(s.deleteComponent))

	// Releases: per project, one page each, and a workspace board.
	mux.HandleFunc("POST /w/{ws}/p/{key}/releases", s.authed(s.createRelease))
	mux.HandleFunc("GET /w/{ws}/p/{key}/r/{version}", s.authed(s.releasePage))
	mux.HandleFunc("POST /w/{ws}/p/{key}/r/{version}", s.authed(s.updateRelease))
	mux.HandleFunc("POST /w/{ws}/p/{key}/r/{version}/move", s.authed(s.moveRelease))
	mux.HandleFunc("POST /w/{ws}/p/{key}/r/{version}/delete", s.authed(s.deleteRelease))
	mux.Upload("POST /w/{ws}/p/{key}/r/{version}/files", s.authed(s.uploadFile))
	mux.HandleFunc("GET /w/{ws}/p/{key}/r/{version}/files/{name}", s.authed(s.downloadFile))
	mux.HandleFunc("POST /w/{ws}/p/{key}/r/{version}/files/{name}/delete", s.authed(s.deleteFile))
	mux.HandleFunc("GET /w/{ws}/p/{key}/r/{version}/notes", s.authed(s.downloadNotes))
	mux.HandleFunc("GET /w/{ws}/p/{key}/r/{version}/evidence", s.authed(s.downloadEvidence))
	mux.HandleFunc("GET /w/{ws}/releases", s.authed(s.releasesBoard))

	// Members and invitations.
	mux.HandleFunc("GET /w/{ws}/members", s.authed(s.membersPage))
	mux.HandleFunc("POST /w/{ws}/members/{user}/role", s.authed(s.changeRole))
	mux.HandleFunc("POST /w/{ws}/members/{user}/remove", s.authed(s.removeMember))
	mux.HandleFunc("POST /w/{ws}/members/{user}/name", s.authed(s.correctName))
	mux.HandleFunc("POST /w/{ws}/invitations", s.authed(s.invite))
	mux.HandleFunc("POST /w/{ws}/invitations/{id}/revoke", s.authed(s.revokeInvitation))

	// Teams.
	mux.HandleFunc("GET /w/{ws}/teams", s.authed(s.teamsPage))
	mux.HandleFunc("POST /w/{ws}/teams", s.authed(s.createTeam))
	mux.HandleFunc("POST /w/{ws}/teams/{team}/delete", s.authed(s.deleteTeam))
	mux.HandleFunc("POST /w/{ws}/teams/{team}/members", s.authed(s.addTeamMember))
	mux.HandleFunc("POST /w/{ws}/teams/{team}/members/{user}/remove", s.authed(s.removeTeamMember))

	// Ownership map, and the owners card of project, release and document pages.
	mux.HandleFunc("GET /w/{ws}/ownership", s.authed(s.ownershipPage))
	mux.HandleFunc("POST /w/{ws}/owners", s.authed(s.setRoleOwner))

	// Documents.
	mux.HandleFunc("GET /w/{ws}/docs", s.authed(s.documentsPage))
	mux.HandleFunc("GET /w/{ws}/docs/new", s.authed(s.newDocumentPage))
	mux.HandleFunc("POST /w/{ws}/docs", s.authed(s.createDocument))
	mux.HandleFunc("GET /w/{ws}/docs/{id}", s.authed(s.documentPage))
	mux.HandleFunc("POST /w/{ws}/docs/{id}", s.authed(s.updateDocument))
	mux.HandleFunc("GET /w/{ws}/docs/{id}/edit", s.authed(s.editDocumentPage))
	mux.HandleFunc("POST /w/{ws}/docs/{id}/delete", s.authed(s.deleteDocument))
	mux.HandleFunc("GET /w/{ws}/docs/{id}/history", s.authed(s.documentHistoryPage))
	mux.HandleFunc("GET /w/{ws}/docs/{id}/v/{n}", s.authed(s.documentVersionPage))
	mux.HandleFunc("GET /w/{ws}/docs/{id}/diff", s.authed(s.documentDiffPage))
	mux.Upload("POST /w/{ws}/docs/{id}/files", s.authed(s.uploadDocumentFile))
	mux.HandleFunc("GET /w/{ws}/docs/{id}/files/{name}", s.authed(s.downloadDocumentFile))
	mux.HandleFunc("POST /w/{ws}/docs/{id}/files/{name}/delete", s.authed(s.deleteDocumentFile))

	// Search.
	mux.HandleFunc("GET /w/{ws}/search", s.authed(s.searchPage))

	// Activity.
	mux.HandleFunc("GET /w/{ws}/activity", s.authed(s.activityPage))

	// The signed-in person's own account.
	mux.HandleFunc("GET /profile", s.authed(s.profilePage))
	mux.HandleFunc("POST /profile", s.authed(s.updateProfile))
	mux.HandleFunc("POST /profile/password", s.authed(s.changePassword))
	mux.HandleFunc("GET /profile/delete", s.authed(s.deleteAccountPage))
	mux.HandleFunc("POST /profile/delete", s.authed(s.scheduleDeletion))
	mux.HandleFunc("POST /profile/delete/cancel", s.authed(s.cancelDeletion))
	mux.HandleFunc("GET /profile/privacy", s.authed(s.privacyPage))
	mux.HandleFunc("POST /profile/privacy/consent", s.authed(s.setConsent))
	mux.HandleFunc("POST /profile/privacy/restriction", s.authed(s.restrict))
	mux.HandleFunc("POST /profile/privacy/restriction/lift", s.authed(s.liftRestriction))
	mux.HandleFunc("POST /profile/export", s.authed(s.requestExport))
	mux.HandleFunc("GET /profile/export/{id}/download", s.authed(s.downloadExport))
	mux.HandleFunc("GET /tokens", s.authed(s.tokensPage))
	mux.HandleFunc("POST /tokens", s.authed(s.createToken))
	mux.HandleFunc("POST /tokens/{id}/revoke", s.authed(s.revokeToken))

	// Site administration: site admins only, a 404 for everyone else.
	mux.HandleFunc("GET /admin", s.authed(s.adminPage))
	mux.HandleFunc("GET /admin/privacy", s.authed(s.privacyInventoryPage))
	mux.HandleFunc("GET /admin/outbound", s.authed(s.outboundPage))
	mux.HandleFunc("POST /admin/signup", s.authed(s.setSignupMode))

	// Transparency: public pages, and acknowledging a policy change.
	mux.HandleFunc("GET /privacy", s.privacyPolicyPage)
	mux.HandleFunc("GET /privacy/confirm/{token}", s.privacyConfirmPage)
	mux.HandleFunc("POST /privacy/confirm/{token}", s.privacyConfirm)
	mux.HandleFunc("GET /cookies", s.cookiesPage)
	mux.HandleFunc("POST /privacy/accept", s.authed(s.acceptPolicy))
	mux.HandleFunc("GET /admin/policy", s.authed(s.adminPolicyPage))
	mux.HandleFunc("POST /admin/policy", s.authed(s.publishPolicy))
	mux.HandleFunc("GET /admin/retention", s.authed(s.retentionPage))
	mux.HandleFunc("POST /admin/retention", s.authed(s.saveRetention))
	mux.HandleFunc("POST /admin/retention/run", s.authed(s.runRetention))
	mux.HandleFunc("GET /admin/privacy/requests", s.authed(s.privacyRequestsPage))
	mux.HandleFunc("POST /admin/privacy/requests", s.authed(s.createPrivacyRequest))
	mux.HandleFunc("GET /admin/privacy/requests/new", s.authed(s.newPrivacyRequestPage))
	mux.HandleFunc("GET /admin/privacy/requests/{id}", s.authed(s.privacyRequestPage))
	mux.HandleFunc("POST /admin/privacy/requests/{id}", s.authed(s.updatePrivacyRequest))
	mux.HandleFunc("POST /admin/privacy/requests/{id}/link", s.authed(s.issuePrivacyLink))
	mux.HandleFunc("POST /admin/privacy/requests/{id}/fulfil", s.authed(s.fulfilPrivacyRequest))
	mux.Upload("POST /admin/privacy/requests/{id}/authorization", s.authed(s.uploadPrivacyAuthorization))
	mux.HandleFunc("GET /admin/privacy/requests/{id}/authorization", s.authed(s.downloadPrivacyAuthorization))

	// Everything else is a styled 404.
	mux.HandleFunc("/", s.notFound)
}
