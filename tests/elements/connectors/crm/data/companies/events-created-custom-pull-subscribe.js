// custom-pull: start from the end of the CRM's change feed.
export default async function subscribe({ apiClient }) {
  const latest = await apiClient.get("/crm/companies/changes/latest");
  return { state: { since: latest.seq } };
}
