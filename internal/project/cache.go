package project

// listKey names one cached project list page (see vcache: pages are valid
// for the workspace data version they were read at).
type listKey struct {
	workspaceID string
	filter      ListFilter
}

// pageSize estimates a page's memory for the cache bound.
func pageSize(k listKey, p Page) int {
	size := 256 + len(k.filter.Cursor)
	for _, it := range p.Items {
		size += 256 + len(it.Name) + len(it.Description)
	}
	return size
}
