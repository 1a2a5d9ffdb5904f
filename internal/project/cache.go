package project

import "sync"

// listCache keeps recent project list pages. An entry is valid only for
// the workspace data version it was read at; every change to projects or
// components bumps that version in its own transaction, and List reads
// the version (with the caller's membership) before it looks here. So a
// cached page is never older than what the database says, on one instance
// or several. The cache is bounded by an estimate of its size in bytes.
type listCache struct {
	mu      sync.Mutex
	entries map[listKey]listEntry
	size    int
}

type listKey struct {
	workspaceID string
	filter      ListFilter
}

type listEntry struct {
	version int64
	page    Page
	size    int
}

const maxListCacheBytes = 16 << 20

func (c *listCache) get(k listKey, version int64) (Page, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.version != version {
		return Page{}, false
	}
	return e.page, true
}

func (c *listCache) put(k listKey, version int64, p Page) {
	size := 256 + len(k.filter.Cursor)
	for _, it := range p.Items {
		size += 256 + len(it.Name) + len(it.Description)
	}
	if size > maxListCacheBytes/8 {
		return // one huge page should not push everything else out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		if old.version > version {
			return // a newer page is already here
		}
		c.size -= old.size
	}
	if c.entries == nil || c.size+size > maxListCacheBytes {
		c.entries, c.size = map[listKey]listEntry{}, 0 // simple and bounded: start over
	}
	c.entries[k] = listEntry{version: version, page: p, size: size}
	c.size += size
}
