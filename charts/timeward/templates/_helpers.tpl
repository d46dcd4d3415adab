{{/* Chart name, overridable. */}}
{{- define "timeward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; short enough for the "-scheduler" and "-migrate" suffixes. */}}
{{- define "timeward.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "timeward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "timeward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "timeward.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "timeward.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "timeward.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "timeward.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "timeward.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the application role's URL, the broker URL and the master key. */}}
{{- define "timeward.secretName" -}}
{{- default (include "timeward.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
Environment of the API, worker and scheduler: the APPLICATION role only.
The schema owner's URL is never here; it lives in migration-job.yaml alone.
*/}}
{{- define "timeward.appEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "timeward.secretName" . }}
      key: DATABASE_URL
- name: BROKER_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "timeward.secretName" . }}
      key: BROKER_URL
- name: TIMEWARD_MASTER_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "timeward.secretName" . }}
      key: TIMEWARD_MASTER_KEY
{{- end }}

{{/* Restart pods when the chart-made ConfigMap or Secret changes. */}}
{{- define "timeward.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}

{{/* Pod-level hardening shared by every workload; the uid is the image's (Dockerfile). */}}
{{- define "timeward.podHardening" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end }}

{{/* Container-level hardening: every container includes this once. */}}
{{- define "timeward.containerHardening" -}}
securityContext:
  runAsNonRoot: true
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: ["ALL"]
  seccompProfile:
    type: RuntimeDefault
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end }}

{{/* One egress rule: the given protocols on each port, to the given peers (none: anywhere). */}}
{{- define "timeward.egressRule" -}}
- ports:
    {{- range $port := .rule.ports }}
    {{- range $protocol := $.protocols }}
    - port: {{ $port }}
      protocol: {{ $protocol }}
    {{- end }}
    {{- end }}
  {{- with .rule.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{- define "timeward.egressRules" -}}
{{ include "timeward.egressRule" (dict "rule" .Values.networkPolicy.egress.dns "protocols" (list "UDP" "TCP")) }}
{{ include "timeward.egressRule" (dict "rule" .Values.networkPolicy.egress.database "protocols" (list "TCP")) }}
{{ include "timeward.egressRule" (dict "rule" .Values.networkPolicy.egress.broker "protocols" (list "TCP")) }}
{{- if .Values.networkPolicy.egress.smtp.enabled }}
{{ include "timeward.egressRule" (dict "rule" .Values.networkPolicy.egress.smtp "protocols" (list "TCP")) }}
{{- end }}
{{- end }}

{{/*
API worker processes (`timeward serve --workers`): one per CPU of the container's limit
("2", 2, "1.5" or "1500m"; at least 1). Python serves a request on one core per process.
*/}}
{{- define "timeward.apiWorkers" -}}
{{- $cpu := toString (default "1" .Values.api.resources.limits.cpu) -}}
{{- if hasSuffix "m" $cpu -}}
{{- max 1 (div (atoi (trimSuffix "m" $cpu)) 1000) -}}
{{- else -}}
{{- max 1 (int (float64 $cpu)) -}}
{{- end -}}
{{- end -}}
