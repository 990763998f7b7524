// Four independent GET requests issued together with Promise.all: the call takes about as
// long as the slowest of them. A repository without releases answers 404 on
// /releases/latest, which is not an error for the overview.

export default async function run({ apiClient, input }) {
  const base = `/repos/${encodeURIComponent(input.owner)}/${encodeURIComponent(input.repo)}`
  const top = input.topContributors || 5

  const [repository, languages, contributors, latestRelease] = await Promise.all([
    apiClient.get(base),
    apiClient.get(`${base}/languages`),
    apiClient.get(`${base}/contributors`, { per_page: top }),
    apiClient.get(`${base}/releases/latest`).catch((error) => {
      if (error.key === 'not_found') return null
      throw error
    }),
  ])

  const totalBytes = Object.values(languages).reduce((sum, bytes) => sum + bytes, 0)
  console.log(`overview of ${repository.full_name}: ${Object.keys(languages).length} languages`)

  return {
    fullName: repository.full_name,
    description: repository.description,
    url: repository.html_url,
    defaultBranch: repository.default_branch,
    stars: repository.stargazers_count,
    forks: repository.forks_count,
    openIssues: repository.open_issues_count,
    languages: Object.entries(languages).map(([name, bytes]) => ({
      name,
      bytes,
      percent: totalBytes ? Math.round((bytes / totalBytes) * 1000) / 10 : 0,
    })),
    topContributors: (contributors || []).slice(0, top).map((c) => ({
      login: c.login,
      contributions: c.contributions,
    })),
    latestRelease: latestRelease
      ? { tag: latestRelease.tag_name, name: latestRelease.name, publishedAt: latestRelease.published_at }
      : null,
  }
}
