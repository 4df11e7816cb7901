from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from benefice.corpus.models import Publication


@login_required
def publication_list(request):
    return render(request, "corpus/list.html", {"publications": Publication.objects.all()[:50]})
