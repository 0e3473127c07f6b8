// Sample CVs and job openings: the demo's stand-in for a backend.
export const SAMPLE_CVS = [
  {
    id: 'cv-maria-garcia',
    file: 'maria-garcia_backend.pdf',
    format: 'pdf',
    sizeKb: 182,
    name: 'María García',
    headline: 'Backend engineer · 6 years',
    skills: ['Go', 'PostgreSQL', 'Kubernetes', 'gRPC', 'AWS'],
    baseScore: 84,
    strengths: ['Quantified impact in every role', 'Modern backend stack', 'Clear, one-page layout'],
    improvements: ['Add a short profile summary', 'Name the size of the teams you led'],
  },
  {
    id: 'cv-li-wei',
    file: 'li-wei_data-scientist.docx',
    format: 'docx',
    sizeKb: 96,
    name: 'Li Wei',
    headline: 'Data scientist · 4 years',
    skills: ['Python', 'PyTorch', 'SQL', 'Airflow', 'Statistics'],
    baseScore: 71,
    strengths: ['Strong publication record', 'Relevant machine-learning projects'],
    improvements: ['Move education after experience', 'Describe results, not only tools', 'Shorten to two pages'],
  },
  {
    id: 'cv-amara-okafor',
    file: 'amara-okafor_product-design.pdf',
    format: 'pdf',
    sizeKb: 2140,
    name: 'Amara Okafor',
    headline: 'Product designer · 8 years',
    skills: ['Figma', 'User research', 'Design systems', 'Prototyping'],
    baseScore: 63,
    strengths: ['Portfolio link on top', 'Broad research experience'],
    improvements: ['Compress the file (2 MB is heavy for ATS)', 'Add measurable outcomes', 'List tools in one section'],
  },
];

export const JOBS = [
  { id: 'job-101', title: 'Senior Backend Engineer', company: 'Nordlicht Energy', location: 'Berlin · hybrid', skills: ['Go', 'Kubernetes', 'PostgreSQL'] },
  { id: 'job-102', title: 'Machine Learning Engineer', company: 'Tidewater Health', location: 'Lisbon · remote', skills: ['Python', 'PyTorch', 'AWS'] },
  { id: 'job-103', title: 'Platform Engineer', company: 'Kestrel Logistics', location: 'Amsterdam', skills: ['Kubernetes', 'AWS', 'gRPC'] },
  { id: 'job-104', title: 'Product Designer', company: 'Fjord Learning', location: 'Copenhagen · remote', skills: ['Figma', 'Design systems', 'User research'] },
  { id: 'job-105', title: 'Data Analyst', company: 'Ardent Retail', location: 'Madrid', skills: ['SQL', 'Python', 'Statistics'] },
];

/** What the (simulated) analysis service answers for a CV. */
export function analyse(cv) {
  const jitter = Math.round(Math.random() * 6) - 3;
  return {
    cvId: cv.id,
    score: Math.min(99, cv.baseScore + jitter),
    strengths: cv.strengths,
    improvements: cv.improvements,
    skills: cv.skills,
  };
}

/** Job matches for a set of skills, best first (the ranking service, simulated). */
export function matchJobs(skills) {
  return JOBS.map((job) => {
    const shared = job.skills.filter((s) => skills.includes(s)).length;
    const match = skills.length ? Math.min(98, 35 + shared * 20 + Math.round(Math.random() * 8)) : null;
    return { ...job, match };
  }).sort((a, b) => (b.match ?? 0) - (a.match ?? 0));
}
