// Issues of a repository, newest update first, following GitHub's Link header page by page.
// The cursor is the absolute URL of the rel="next" link; GitHub puts every query parameter in it.
// Only a URL on the API host is followed: the token goes along with the request, so a cursor
// that points anywhere else is refused instead of leaking it.
const API_ORIGIN = 'https://api.github.com/'

export default async function list({ apiClient, parameters, cursor }) {
  if (cursor && !String(cursor).startsWith(API_ORIGIN)) {
    throw new Error(`cursor is not a GitHub API URL (expected it to start with ${API_ORIGIN})`)
  }
  const response = cursor
    ? await apiClient.get(cursor, undefined, { returnFullResponse: true })
    : await apiClient.get(
        `/repos/${encodeURIComponent(parameters.owner)}/${encodeURIComponent(parameters.repo)}/issues`,
        { state: 'all', sort: 'updated', direction: 'desc', per_page: 100 },
        { returnFullResponse: true },
      )

  const records = response.data
    .filter((issue) => !issue.pull_request)
    .map((issue) => ({
      id: String(issue.number),
      name: issue.title,
      uri: issue.html_url,
      createdTime: issue.created_at,
      updatedTime: issue.updated_at,
      createdById: issue.user ? String(issue.user.id) : undefined,
      fields: issue,
    }))

  const next = nextLink(header(response.headers, 'link'))
  return next ? { records, cursor: next } : { records }
}

function header(headers, name) {
  for (const [key, value] of Object.entries(headers || {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value
  }
  return undefined
}

// Link: <https://api.github.com/repositories/1/issues?page=2>; rel="next", <...>; rel="last"
function nextLink(link) {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const match = part.match(/<([^>]+)>\s*;\s*rel="?([^";]+)"?/)
    if (match && match[2].split(/\s+/).includes('next')) return match[1]
  }
  return undefined
}
